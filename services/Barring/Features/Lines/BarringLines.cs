using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;

namespace MasStack.Barring.Features.Lines;

// Barring keeps the lines it may bar from Subscription's events, each applied only when newer than what it holds (an event
// about a line whose creation has not arrived yet is retried until it has). A new line gets its barring profile (nothing
// barred, SIM unblocked) and the signup saga its confirmation.

public static class BarringCopies
{
    public static readonly AggregateCopy Line = new("line", "barring_lines", "subscription_id");
}

/// <summary>A line moved to another account: its barrings stay (they are the line's), its account follows.</summary>
[ConsumerName("subscription-account-changed")]
public sealed class SubscriptionAccountChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionAccountChanged>(db)
{
    protected override Task Handle(SubscriptionAccountChanged move, UnitOfWork db, CancellationToken ct) => LineMoves.ApplyAsync(db, BarringCopies.Line, move);
}

[ConsumerName("subscription-created")]
public sealed class SubscriptionCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override async Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct)
    {
        if (await CreateProfileAsync(db, line) is { } profile) await db.PublishAsync(profile);
    }

    /// <summary>The line's copy and barring profile; the confirmation to publish, or null for a failed sale's line arriving late.</summary>
    public static async Task<BarringProfileCreated?> CreateProfileAsync(UnitOfWork db, SubscriptionCreated line)
    {
        var inserted = await db.ExecuteAsync(
            $"""
            INSERT INTO barring_lines (subscription_id, account_id, user_id, signup_id, type, status, status_version, created_at, updated_at)
            SELECT @SubscriptionId, @AccountId, @UserId, @SignupId, @Type, @Status, @Version, @CreatedAt, @CreatedAt
            WHERE {EventVersions.NotRemoved(BarringCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new
            {
                line.SubscriptionId, line.AccountId, line.UserId, line.SignupId, line.Version, line.CreatedAt,
                Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status),
            });
        if (inserted == 0)
        {
            var same = await db.QuerySingleOrDefaultAsync<bool?>(
                "SELECT signup_id IS NOT DISTINCT FROM @SignupId AND account_id = @AccountId FROM barring_lines WHERE subscription_id = @SubscriptionId",
                new { line.SubscriptionId, line.SignupId, line.AccountId });
            if (same is null) return null; // removed on purpose: a failed sale's line arriving late
            IdCollisionException.ThrowIfOther("barring_lines", line.SubscriptionId, same.Value, "another sale or account");
        }
        return new BarringProfileCreated(line.SubscriptionId, line.AccountId, line.SignupId, line.CreatedAt);
    }
}

/// <summary>A sale's lines, created together: each kept as its own creation would be, and their profiles confirmed in one event.</summary>
[ConsumerName("subscriptions-created")]
public sealed class SubscriptionsCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionsCreated>(db)
{
    protected override async Task Handle(SubscriptionsCreated sale, UnitOfWork db, CancellationToken ct)
    {
        var profiles = new List<BarringProfileCreated>(sale.Lines.Count);
        foreach (var line in sale.Lines)
            if (await SubscriptionCreatedConsumer.CreateProfileAsync(db, line) is { } profile) profiles.Add(profile);
        await db.PublishTogetherAsync(profiles, all => new BarringProfilesCreated(sale.SignupId, all));
    }
}

[ConsumerName("subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, BarringCopies.Line, "status_version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            """
            UPDATE barring_lines SET status = @Status, account_id = CASE WHEN @Version >= account_version THEN @AccountId ELSE account_id END, status_version = greatest(status_version, @Version), updated_at = now()
            WHERE subscription_id = @SubscriptionId
            """,
            new { change.SubscriptionId, change.AccountId, change.Version, Status = EnumText.Of(change.To) });
    }
}

/// <summary>Undoes Barring's part of a failed sale: the profiles of its lines are removed, and a late creation of one changes nothing.</summary>
[ConsumerName("signup-compensation")]
public sealed class SignupCompensationConsumer(UnitOfWork db) : InboxConsumer<SignupCompensationRequested>(db)
{
    protected override async Task Handle(SignupCompensationRequested failed, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            "DELETE FROM barring_lines WHERE subscription_id = ANY(@ids) AND signup_id = @SignupId",
            new { ids = failed.SubscriptionIds.ToArray(), failed.SignupId });
        await EventVersions.RecordRemovedAsync(db, BarringCopies.Line, failed.SubscriptionIds);
    }
}
