namespace AtomicUpdate.Agent.Tests.Support;

/// <summary>The least configuration `au-agent run` accepts: a hardware id, and state and pool paths inside the test's directory.</summary>
internal static class MinimalAgentConfig
{
    public static string Write(TempDirectory directory)
    {
        var path = directory.Combine("agent.json");
        File.WriteAllText(path, $$"""
            {
              "hardwareId": "board-test",
              "stateDirectory": "{{directory.Combine("state")}}",
              "poolMountPoint": "{{directory.Combine("pool")}}",
              "trustedRoot": "{{directory.Combine("root.json")}}"
            }
            """);
        return path;
    }
}
