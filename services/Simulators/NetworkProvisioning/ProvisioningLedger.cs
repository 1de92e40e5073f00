using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MasStack.NetworkProvisioning;

public sealed record AppliedOrder(string IdempotencyKey, string NetworkOrderId, JsonObject Order, DateTimeOffset AppliedAt)
{
    /// <summary>How many requests carried this key; only the first applied the order.</summary>
    public int Requests { get; set; } = 1;

    public int TimesApplied { get; init; } = 1;
}

/// <summary>The orders the network applied, by idempotency key: a repeated key is answered from here and applied once.</summary>
public sealed class ProvisioningLedger
{
    private readonly ConcurrentDictionary<string, AppliedOrder> _applied = new();

    /// <summary>Applies the order unless this key was applied before; returns the record either way.</summary>
    public AppliedOrder Apply(string key, JsonObject order)
    {
        var created = false;
        var applied = _applied.GetOrAdd(key, k =>
        {
            created = true;
            return new AppliedOrder(k, $"NET-{Guid.NewGuid():N}"[..16], order, DateTimeOffset.UtcNow);
        });
        if (!created) lock (applied) applied.Requests++;
        return applied;
    }

    public AppliedOrder? Find(string key) => _applied.GetValueOrDefault(key);

    public IReadOnlyList<AppliedOrder> All => _applied.Values.OrderBy(o => o.AppliedAt).ToList();
}
