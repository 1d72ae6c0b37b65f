using System.Net;
using AtomicUpdate.Contracts;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// Sends the queue to the server in order, a batch at a time, for as long as it runs: after a
/// failure it waits (doubling, or the server's Retry-After) and sends the same batch again, which
/// is harmless because the server ignores sequences it holds.
/// </summary>
internal sealed class ReportSender(ReportQueue queue, Func<IReadOnlyList<DeviceReport>, CancellationToken, Task<ReportBatchResult>> send, FleetOptions options, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var batchSize = ReportBatch.MaxReports;
        while (true)
        {
            await queue.WaitForReportsAsync(cancellationToken).ConfigureAwait(false);
            var batch = queue.Peek(batchSize);
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                var result = await send(batch, cancellationToken).ConfigureAwait(false);
                failures = 0;
                batchSize = ReportBatch.MaxReports;
                if (result.LastSequence > batch[^1].Sequence)
                {
                    // The server holds higher sequences than this device ever gave: it lost its queue (re-flashed, same serial).
                    queue.Rebase(result.LastSequence);
                    continue;
                }
                queue.MarkSent(batch[^1].Sequence);
            }
            catch (FleetException exception) when (exception.Status == HttpStatusCode.BadRequest)
            {
                // A report the server will never take must not block those behind it: find it by sending one at a time, then drop it.
                if (batch.Count > 1)
                {
                    batchSize = 1;
                    continue;
                }
                FleetLog.ReportRejected(logger, batch[0].Sequence, exception.Message);
                queue.MarkSent(batch[0].Sequence);
            }
            catch (FleetException exception)
            {
                failures++;
                var wait = Backoff.Delay(failures, options.RetryMinimum, options.RetryMaximum);
                if (exception.RetryAfter is { } retryAfter && retryAfter > wait)
                {
                    wait = retryAfter;
                }
                FleetLog.ReportsNotSent(logger, queue.Count, wait.TotalSeconds, exception.Message);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The queue's disk or the identity file failing: the reports stay queued and the sender keeps going.
                failures++;
                var wait = Backoff.Delay(failures, options.RetryMinimum, options.RetryMaximum);
                FleetLog.SenderCrashed(logger, exception, wait.TotalSeconds);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
