using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Npgsql;

namespace MasStack.Barring.Features.Barrings;

public sealed record HistoryEntry(
    long Version, BarringAction Action, BarringType? Type, BarringSource Source, BarringReason Reason, string By, string? Why, DateTimeOffset At);

/// <summary>
/// The one writer of barring profiles: loads a line's profile (locked for a change), and records a change — the new
/// barrings and SIM block, the profile's next version, the history, and <see cref="SubscriptionBarringChanged"/> with the
/// barring set as it now stands — in the caller's transaction.
/// </summary>
public static class BarringProfiles
{
    private const string LineSql =
        """
        SELECT subscription_id AS SubscriptionId, account_id AS AccountId, user_id AS UserId, type, status, version,
               sim_block_reason AS SimBlockReason, sim_blocked_since AS SimBlockedSince, sim_blocked_by AS SimBlockedBy
        FROM barring_lines WHERE subscription_id = @subscriptionId
        """;

    private const string BarringsSql =
        """
        SELECT type, source, reason, since, barred_by AS By FROM barrings WHERE subscription_id = @subscriptionId ORDER BY since, type, source, reason
        """;

    /// <summary>A time as PostgreSQL keeps it (microseconds): a change answers the times a later read shows.</summary>
    public static DateTimeOffset Stored(DateTimeOffset at) => at.AddTicks(-(at.Ticks % 10));

    /// <summary>The profile, its line locked until the transaction ends so that changes to one line run one after the other.</summary>
    public static async Task<BarringProfile?> LoadForUpdateAsync(UnitOfWork db, long subscriptionId)
    {
        var line = await db.QuerySingleOrDefaultAsync<LineRow>(LineSql + " FOR UPDATE", new { subscriptionId });
        return line is null ? null : Map(line, await db.QueryAsync<BarringRow>(BarringsSql, new { subscriptionId }));
    }

    public static async Task<BarringProfile?> FindAsync(NpgsqlConnection connection, long subscriptionId)
    {
        var line = await connection.QuerySingleOrDefaultAsync<LineRow>(LineSql, new { subscriptionId });
        return line is null ? null : Map(line, (await connection.QueryAsync<BarringRow>(BarringsSql, new { subscriptionId })).AsList());
    }

    private const string HistorySql =
        """
        SELECT version, action, type, source, reason, changed_by AS By, why, changed_at AS At
        FROM barring_history WHERE subscription_id = @subscriptionId ORDER BY id DESC
        """;

    /// <summary>The profile's history, newest first.</summary>
    public static async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(NpgsqlConnection connection, long subscriptionId) =>
        Map(await connection.QueryAsync<HistoryRow>(HistorySql, new { subscriptionId }));

    /// <summary>The history as the caller's transaction sees it (with the change it just recorded).</summary>
    public static async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(UnitOfWork db, long subscriptionId) =>
        Map(await db.QueryAsync<HistoryRow>(HistorySql, new { subscriptionId }));

    private static List<HistoryEntry> Map(IEnumerable<HistoryRow> rows) =>
        rows.Select(h => new HistoryEntry(
            h.Version, EnumText.Parse<BarringAction>(h.Action), h.Type is null ? null : EnumText.Parse<BarringType>(h.Type),
            EnumText.Parse<BarringSource>(h.Source), EnumText.Parse<BarringReason>(h.Reason), h.By, h.Why, h.At)).ToList();

    /// <summary>
    /// Records a change of the profile (nothing when <paramref name="changes"/> is empty) and announces it; returns the
    /// profile as it now is.
    /// </summary>
    public static async Task<BarringProfile> RecordAsync(
        UnitOfWork db, BarringProfile profile, IReadOnlyList<ActiveBarring> barrings, SimBlock? block, IReadOnlyList<BarringChange> changes,
        string? why, DateTimeOffset at)
    {
        if (changes.Count == 0) return profile;
        var version = await db.QuerySingleOrDefaultAsync<long>(
            """
            UPDATE barring_lines SET version = version + 1, sim_block_reason = @Reason, sim_blocked_since = @Since, sim_blocked_by = @By,
                   updated_at = @at
            WHERE subscription_id = @SubscriptionId RETURNING version
            """,
            new { profile.SubscriptionId, Reason = block is null ? null : EnumText.Of(block.Reason), block?.Since, block?.By, at });
        await db.ExecuteAsync("DELETE FROM barrings WHERE subscription_id = @SubscriptionId", new { profile.SubscriptionId });
        await db.ExecuteAsync(
            """
            INSERT INTO barrings (subscription_id, type, source, reason, since, barred_by)
            SELECT @SubscriptionId, unnest(@Types), unnest(@Sources), unnest(@Reasons), unnest(@Sinces), unnest(@Bys)
            """,
            new
            {
                profile.SubscriptionId,
                Types = barrings.Select(b => EnumText.Of(b.Type)).ToArray(),
                Sources = barrings.Select(b => EnumText.Of(b.Source)).ToArray(),
                Reasons = barrings.Select(b => EnumText.Of(b.Reason)).ToArray(),
                Sinces = barrings.Select(b => b.Since).ToArray(),
                Bys = barrings.Select(b => b.By).ToArray(),
            });
        foreach (var change in changes)
            await db.ExecuteAsync(
                """
                INSERT INTO barring_history (subscription_id, version, action, type, source, reason, changed_by, why, changed_at)
                VALUES (@SubscriptionId, @version, @Action, @Type, @Source, @Reason, @By, @why, @At)
                """,
                new
                {
                    profile.SubscriptionId, version, why, change.By, change.At,
                    Action = EnumText.Of(change.Action), Type = change.Type is { } type ? EnumText.Of(type) : null,
                    Source = EnumText.Of(change.Source), Reason = EnumText.Of(change.Reason),
                });

        var changed = profile with { Version = version, Block = block, Barrings = barrings };
        var barred = changed.BarredTypes;
        await db.PublishAsync(new SubscriptionBarringChanged(
            profile.SubscriptionId, profile.AccountId, profile.UserId, barred.Count > 0, [.. barred.Select(EnumText.Of)],
            why ?? EnumText.Of(changes[^1].Reason), at, version,
            EnumText.Of(changed.SimStatus), block is null ? null : EnumText.Of(block.Reason), [.. changed.BarredFor.Select(EnumText.Of)]));
        return changed;
    }

    private static BarringProfile Map(LineRow line, IReadOnlyList<BarringRow> barrings) => new(
        line.SubscriptionId, line.AccountId, line.UserId, EnumText.Parse<SubscriptionType>(line.Type), EnumText.Parse<SubscriptionStatus>(line.Status),
        line.Version,
        line.SimBlockReason is null ? null : new SimBlock(EnumText.Parse<BarringReason>(line.SimBlockReason), line.SimBlockedSince!.Value, line.SimBlockedBy!),
        barrings.Select(b => new ActiveBarring(
            EnumText.Parse<BarringType>(b.Type), EnumText.Parse<BarringSource>(b.Source), EnumText.Parse<BarringReason>(b.Reason), b.Since, b.By)).ToList());

    private sealed record LineRow(
        long SubscriptionId, long AccountId, long UserId, string Type, string Status, long Version, string? SimBlockReason,
        DateTimeOffset? SimBlockedSince, string? SimBlockedBy);

    private sealed record BarringRow(string Type, string Source, string Reason, DateTimeOffset Since, string By);

    private sealed record HistoryRow(long Version, string Action, string? Type, string Source, string Reason, string By, string? Why, DateTimeOffset At);
}
