using System.Collections.Concurrent;
using MasStack.Platform.Workers;

namespace MasStack.Platform.Messaging;

/// <summary>
/// Hands the rows a transaction just committed to this instance's outbox relay and wakes it, so events leave at once,
/// without the relay reading back from the database what it was just given. The rows were written leased to this
/// instance (<see cref="OutboxRelay.Lease"/>): no other relay takes them meanwhile, and should this process die before
/// publishing them, the lease runs out and any instance's poll does.
/// </summary>
public sealed class OutboxSignal : WorkSignal
{
    /// <summary>Beyond this many rows waiting (a broker that only times out, say), later ones are left to the lease and the poll.</summary>
    public const int MaxWaiting = 10_000;

    private readonly ConcurrentQueue<OutboxMessage> _committed = new();

    public void Committed(IEnumerable<OutboxMessage> rows)
    {
        foreach (var row in rows)
            if (_committed.Count < MaxWaiting) _committed.Enqueue(row);
        Notify();
    }

    public List<OutboxMessage> TakeCommitted(int max)
    {
        var taken = new List<OutboxMessage>();
        while (taken.Count < max && _committed.TryDequeue(out var row)) taken.Add(row);
        return taken;
    }
}
