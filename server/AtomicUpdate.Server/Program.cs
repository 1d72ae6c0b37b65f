using AtomicUpdate.Server;
using AtomicUpdate.Server.Cli;

if (ServerCli.IsCommand(args))
{
    return await ServerCli.RunAsync(args);
}

var app = await ServerApp.BuildAsync(ServerApp.CreateBuilder(args));
await app.RunAsync();
return 0;
