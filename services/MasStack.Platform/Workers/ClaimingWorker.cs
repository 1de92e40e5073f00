using System.Diagnostics;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace MasStack.Platform.Workers;

/// <summary>
/// The one background loop of the platform: claim due work, handle it, wait for a signal or the next poll.
/// <para>
/// Claiming is one short statement that marks what it takes (a lease, <c>FOR UPDATE SKIP LOCKED</c>), so instances
/// work side by side and no transaction stays open while the work calls the network. The claim runs with
/// instrumentation suppressed: a pass that finds nothing leaves no trace. Only when something was claimed does the
/// pass start a span named after the worker, under which the handling (its HTTP calls, its queries) is traced — unless
/// each item carries its own trace (<see cref="TracesPasses"/>).
/// </para>
/// A full batch is followed at once by the next pass; a pass that fails waits by <see cref="Backoff"/>. By default each
/// item is handled on its own (<see cref="HandleOneAsync"/>): one that fails is logged and leaves the others alone.
/// </summary>
public abstract class ClaimingWorker<TWork>(ILogger logger, WorkSignal? signal = null) : BackgroundService
{
    /// <summary>The span name of a pass that found work, e.g. "work order dispatch".</summary>
    protected abstract string Name { get; }

    /// <summary>Whether a pass that found work starts a span for it (off for work whose items each belong to a trace of their own).</summary>
    protected virtual bool TracesPasses => true;

    protected virtual TimeSpan PollInterval => TimeSpan.FromSeconds(1);

    protected virtual int BatchSize => 10;

    /// <summary>The longest wait after failed passes (the backoff rule's cap is for items, not for the whole loop).</summary>
    protected virtual TimeSpan MaxFailureWait => TimeSpan.FromSeconds(5);

    /// <summary>Claims up to <paramref name="batchSize"/> due items, in one short statement or transaction.</summary>
    protected abstract Task<IReadOnlyList<TWork>> ClaimAsync(int batchSize, CancellationToken cancellationToken);

    /// <summary>Handles the claimed items; by default each one on its own, a failure of one not touching the others.</summary>
    protected virtual async Task HandleAsync(IReadOnlyList<TWork> claimed, CancellationToken cancellationToken)
    {
        foreach (var item in claimed)
        {
            try { await HandleOneAsync(item, cancellationToken); }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Worker} could not handle {Item}; it will be claimed again", Name, item);
            }
        }
    }

    protected virtual Task HandleOneAsync(TWork item, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} handles its batch as a whole.");

    /// <summary>One pass: the number of items claimed. Exposed for the tests of the loop itself.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TWork> claimed;
        using (SuppressInstrumentationScope.Begin())
            claimed = await ClaimAsync(BatchSize, cancellationToken);
        if (claimed.Count == 0) return 0;

        using var activity = TracesPasses ? Telemetry.Source.StartActivity(Name, ActivityKind.Internal) : null;
        activity?.SetTag("masstack.worker.claimed", claimed.Count);
        await HandleAsync(claimed, cancellationToken);
        return claimed.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await RunOnceAsync(stoppingToken);
                failures = 0;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                logger.LogWarning(e, "{Worker} pass failed ({Failures} in a row); retrying", Name, failures);
            }
            if (failures == 0 && claimed >= BatchSize) continue;

            var wait = failures > 0 ? TimeSpan.FromTicks(Math.Min(Backoff.Jittered(failures).Ticks, MaxFailureWait.Ticks)) : PollInterval;
            try
            {
                if (signal is not null && failures == 0) await signal.WaitAsync(wait, stoppingToken);
                else await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }
}
