using MasStack.Platform.Data;

namespace MasStack.Platform.Messaging;

/// <summary>Where a service keeps its copy of another service's aggregate: names from code, never input.</summary>
public sealed record AggregateCopy(string Aggregate, string Table, string Key);

/// <summary>
/// Events arrive in any order (the relay publishes in parallel, instances relay side by side, redeliveries
/// reorder), so a copy of another service's aggregate applies an event only when its version is newer than the
/// one it holds. An event without a version (0: published before versions existed) is applied as it always was.
/// An event about an aggregate the copy does not hold yet is retried until its creation has arrived (see
/// <see cref="AggregateNotKnownYetException"/>), unless the copy was removed on purpose.
/// </summary>
public static class EventVersions
{
    public const long Unversioned = 0;

    public static bool IsNewer(long incoming, long held) => incoming == Unversioned || incoming > held;

    /// <summary>
    /// Locks the copy's row and says whether the event applies: true when it is newer than the version in
    /// <paramref name="versionColumn"/>, false when it is stale or the copy was removed; throws when the copy does
    /// not exist yet, so the message is redelivered.
    /// </summary>
    public static async Task<bool> AppliesAsync(UnitOfWork db, AggregateCopy copy, string versionColumn, long id, long incoming)
    {
        var held = await db.QuerySingleOrDefaultAsync<long?>(
            $"SELECT {versionColumn} FROM {copy.Table} WHERE {copy.Key} = @id FOR UPDATE", new { id });
        if (held is { } version) return IsNewer(incoming, version);
        if (await WasRemovedAsync(db, copy, id)) return false;
        throw new AggregateNotKnownYetException(copy.Aggregate, id);
    }

    /// <summary>Remembers that these copies were removed on purpose: their late events change nothing, a late creation included.</summary>
    public static Task RecordRemovedAsync(UnitOfWork db, AggregateCopy copy, IEnumerable<long> ids) =>
        db.ExecuteAsync(
            "INSERT INTO removed_copies (aggregate, id) SELECT @Aggregate, unnest(@ids) ON CONFLICT DO NOTHING",
            new { copy.Aggregate, ids = ids.Distinct().ToArray() });

    /// <summary>
    /// A SQL condition, true unless the copy under <paramref name="idParameter"/> was removed on purpose: a creation
    /// inserts <c>SELECT … WHERE</c> it, so a late creation of a removed copy changes nothing, in the same round trip.
    /// </summary>
    public static string NotRemoved(AggregateCopy copy, string idParameter) =>
        $"NOT EXISTS (SELECT 1 FROM removed_copies WHERE aggregate = '{copy.Aggregate}' AND id = {idParameter})";

    private static Task<bool> WasRemovedAsync(UnitOfWork db, AggregateCopy copy, long id) =>
        db.QuerySingleOrDefaultAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM removed_copies WHERE aggregate = @Aggregate AND id = @id)", new { copy.Aggregate, id });
}

/// <summary>
/// An event about an aggregate this service has not heard of yet (its creation is still on the way): thrown so
/// that the message is redelivered until the aggregate exists, instead of being confirmed with no effect.
/// </summary>
public sealed class AggregateNotKnownYetException(string aggregate, long id)
    : Exception($"The {aggregate} {id} is not known here yet; the event is retried until it is.");
