using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MasStack.NetworkProvisioning;

public sealed record AppliedOrder(string IdempotencyKey, string NetworkOrderId, JsonObject Order, DateTimeOffset AppliedAt)
{
    /// <summary>How many requests carried this key; only the first applied the order.</summary>
    public int Requests { get; set; } = 1;

    public int TimesApplied { get; init; } = 1;
}

/// <summary>A line's barrings as the network holds them: the set of the newest barring version it was sent.</summary>
public sealed record LineBarrings(long SubscriptionId, long Version, IReadOnlyList<string> Barrings, string? SimStatus);

/// <summary>
/// The orders the network applied, by idempotency key: a repeated key is answered from here and applied once. A
/// change-barrings order carries the whole barring set and its version: an older set arriving after a newer one is
/// acknowledged and ignored, so reordered orders leave the newest set in force.
/// </summary>
public sealed class ProvisioningLedger
{
    private readonly ConcurrentDictionary<string, AppliedOrder> _applied = new();
    private readonly ConcurrentDictionary<long, LineBarrings> _barrings = new();

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
        else if ((string?)order["type"] == "change-barrings" && BarringsIn(order) is { } barrings)
            _barrings.AddOrUpdate(barrings.SubscriptionId, barrings, (_, held) => barrings.Version > held.Version ? barrings : held);
        return applied;
    }

    public LineBarrings? BarringsOf(long subscriptionId) => _barrings.GetValueOrDefault(subscriptionId);

    private static LineBarrings? BarringsIn(JsonObject order)
    {
        try
        {
            var parameters = order["parameters"]!;
            return new LineBarrings(
                (long)order["subscriptionId"]!, (long)parameters["barringVersion"]!,
                [.. parameters["barrings"]!.AsArray().Select(b => (string)b!)], (string?)parameters["simStatus"]);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            return null; // not a barring set this stand-in can read: the order is still applied, as any other
        }
    }

    public AppliedOrder? Find(string key) => _applied.GetValueOrDefault(key);

    public IReadOnlyList<AppliedOrder> All => _applied.Values.OrderBy(o => o.AppliedAt).ToList();
}
