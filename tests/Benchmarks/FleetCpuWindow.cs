namespace AtomicUpdate.Benchmarks;

/// <summary>CPU seconds that the server, its database and the load generator used during one measured window.</summary>
internal sealed class FleetCpuWindow
{
    private readonly Func<double> _server;
    private readonly Func<double> _database;
    private readonly double _serverStart;
    private readonly double _databaseStart;
    private readonly double _clientStart;

    private FleetCpuWindow(Func<double> server, Func<double> database)
    {
        _server = server;
        _database = database;
        _serverStart = server();
        _databaseStart = database();
        _clientStart = FleetCpu.OwnSeconds();
    }

    public double Server { get; private set; }

    public double Database { get; private set; }

    public double Client { get; private set; }

    public static FleetCpuWindow Start(Func<double> server, Func<double> database) => new(server, database);

    public void Stop()
    {
        Client = FleetCpu.OwnSeconds() - _clientStart;
        Server = _server() - _serverStart;
        Database = _database() - _databaseStart;
    }
}
