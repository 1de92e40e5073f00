using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Npgsql;

namespace MasStack.Subscription.Features.Lines;

/// <summary>A line as the operations on it need it.</summary>
public sealed record Line(
    long Id, long AccountId, long UserId, SubscriptionType Type, NumberMode? NumberMode, string? Number, string? Iccid,
    string ProductCode, SubscriptionStatus Status, DateTimeOffset? SimHoldUntil);

public static class LineStore
{
    private const string Select =
        """
        SELECT id, account_id AS AccountId, user_id AS UserId, type, number_mode AS NumberMode, number, iccid,
               product_code AS ProductCode, status, sim_hold_until AS SimHoldUntil
        FROM subscriptions WHERE id = @subscriptionId
        """;

    /// <summary>Loads the line and locks it until the transaction ends, so two changes to one line run one after the other.</summary>
    public static async Task<Line?> LoadForUpdateAsync(UnitOfWork db, long subscriptionId) =>
        Map(await db.QuerySingleOrDefaultAsync<LineRow>(Select + " FOR UPDATE", new { subscriptionId }));

    public static async Task<Line?> FindAsync(NpgsqlConnection connection, long subscriptionId) =>
        Map(await connection.QuerySingleOrDefaultAsync<LineRow>(Select, new { subscriptionId }));

    /// <summary>Moves the line to <paramref name="to"/> (the caller has checked <see cref="LineLifecycle.CanMove"/>) and announces it.</summary>
    public static async Task ChangeStatusAsync(UnitOfWork db, Line line, SubscriptionStatus to, string? reason, DateTimeOffset at)
    {
        if (!LineLifecycle.CanMove(line.Status, to)) throw new InvalidOperationException(LineLifecycle.Refusal(line.Status, to));
        var version = await db.QuerySingleOrDefaultAsync<long>(
            """
            UPDATE subscriptions SET status = @Status, status_reason = @reason, updated_at = @at, version = version + 1,
                   activated_at = CASE WHEN @Status = 'active' THEN coalesce(activated_at, @at) ELSE activated_at END,
                   cancelled_at = CASE WHEN @Status = 'cancelled' THEN @at ELSE cancelled_at END
            WHERE id = @Id
            RETURNING version
            """,
            new { line.Id, Status = EnumText.Of(to), reason, at });
        await db.PublishAsync(new SubscriptionStatusChanged(line.Id, line.AccountId, line.UserId, line.Status, to, reason, at, version));
    }

    /// <summary>The line takes <paramref name="productCode"/> (the caller holds its lock and checked the rules) and announces it.</summary>
    public static async Task ChangeProductAsync(UnitOfWork db, Line line, string productCode, DateTimeOffset at)
    {
        if (line.ProductCode == productCode) return;
        var version = await db.QuerySingleOrDefaultAsync<long>(
            "UPDATE subscriptions SET product_code = @productCode, updated_at = @at, version = version + 1 WHERE id = @Id RETURNING version",
            new { line.Id, productCode, at });
        await db.PublishAsync(new SubscriptionProductChanged(line.Id, line.AccountId, line.UserId, line.ProductCode, productCode, at, version));
    }

    /// <summary>
    /// Counts one more change of the line (its offers or services changed) and returns the line's new version, for the
    /// event that announces the change. The caller holds the line's lock (<see cref="LoadForUpdateAsync"/>).
    /// </summary>
    public static Task<long> NextVersionAsync(UnitOfWork db, long subscriptionId, DateTimeOffset at) =>
        db.QuerySingleOrDefaultAsync<long>(
            "UPDATE subscriptions SET version = version + 1, updated_at = @at WHERE id = @subscriptionId RETURNING version", new { subscriptionId, at });

    /// <summary>
    /// For events that move a line only from the states they expect (a SIM activated, a number ported, a sale undone):
    /// the line is locked, and left alone — false — when it is in any other state.
    /// </summary>
    public static async Task<bool> ChangeStatusIfAsync(
        UnitOfWork db, long subscriptionId, SubscriptionStatus[] from, SubscriptionStatus to, string? reason, DateTimeOffset at)
    {
        var line = await LoadForUpdateAsync(db, subscriptionId);
        if (line is null || !from.Contains(line.Status)) return false;
        await ChangeStatusAsync(db, line, to, reason, at);
        return true;
    }

    private static Line? Map(LineRow? row) => row is null
        ? null
        : new Line(row.Id, row.AccountId, row.UserId, EnumText.Parse<SubscriptionType>(row.Type),
            row.NumberMode is null ? null : EnumText.Parse<NumberMode>(row.NumberMode), row.Number, row.Iccid, row.ProductCode,
            EnumText.Parse<SubscriptionStatus>(row.Status), row.SimHoldUntil);

    private sealed record LineRow(
        long Id, long AccountId, long UserId, string Type, string? NumberMode, string? Number, string? Iccid, string ProductCode,
        string Status, DateTimeOffset? SimHoldUntil);
}
