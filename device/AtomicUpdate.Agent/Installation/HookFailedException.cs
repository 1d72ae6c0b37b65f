namespace AtomicUpdate.Agent.Installation;

internal sealed class HookFailedException(string message) : Exception(message);
