namespace AtomicUpdate.Agent.State;

/// <summary>
/// Every transition a transaction may take, in one table (DESIGN.md section 7):
/// <code>
/// Idle → Downloading (one streamed pass: download, verify, decompress, validate, receive) → Received
///      → Deployed → TrialArmed → (reboot) → TrialBooted → Healthy → Committed
///                                                     ↘ Unhealthy → RolledBack
///                          (bootloader exhausted tries, booted good) → RolledBack
/// any failure before TrialArmed → Failed (staging and partial subvolumes deleted, old release untouched)
/// </code>
/// </summary>
internal static class Transitions
{
    private static readonly Dictionary<TransactionState, TransactionState[]> Allowed = new()
    {
        [TransactionState.Idle] = [TransactionState.Downloading],
        [TransactionState.Downloading] = [TransactionState.Received, TransactionState.Failed],
        [TransactionState.Received] = [TransactionState.Deployed, TransactionState.Failed],
        [TransactionState.Deployed] = [TransactionState.TrialArmed, TransactionState.Failed],
        [TransactionState.TrialArmed] = [TransactionState.TrialBooted, TransactionState.RolledBack, TransactionState.Failed],
        [TransactionState.TrialBooted] = [TransactionState.Healthy, TransactionState.Unhealthy, TransactionState.RolledBack],
        [TransactionState.Healthy] = [TransactionState.Committed],
        [TransactionState.Unhealthy] = [TransactionState.RolledBack],
        [TransactionState.Committed] = [],
        [TransactionState.RolledBack] = [],
        [TransactionState.Failed] = [],
    };

    public static bool IsAllowed(TransactionState from, TransactionState to) => Allowed[from].Contains(to);

    /// <summary>States in which a transaction is over; a new one may start.</summary>
    public static bool IsFinal(TransactionState state) => Allowed[state].Length == 0;

    /// <summary>Before the trial is armed, a failure cleans up and leaves the old release booting.</summary>
    public static bool IsBeforeTrial(TransactionState state) =>
        state is TransactionState.Idle or TransactionState.Downloading or TransactionState.Received or TransactionState.Deployed;

    public static void Check(TransactionState from, TransactionState to)
    {
        if (!IsAllowed(from, to))
        {
            throw new InvalidOperationException($"A transaction cannot go from {from} to {to}.");
        }
    }
}
