using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Barrings;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.WorkOrders;
using Npgsql;

namespace MasStack.Subscription.Features.Installation;

/// <summary>A line's installation as the subscription shows it: its work order's state, attempts (visits) and the last reason it failed.</summary>
public sealed record LineInstallation(long WorkOrderId, WorkOrderStatus State, int Attempts, string? Reason, DateTimeOffset OrderedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// Fixed, internet and TV lines need a technician's visit: an <see cref="WorkOrderType.Install"/> work order, sent by the
/// work-order dispatcher to the field service when the sale completes. A failed visit is tried again
/// (<c>WorkOrders:InstallationAttempts</c>, default 3); done, the line becomes active (a ported fixed line once its
/// number is ported too); failed for good, the line stays pending activation with the reason, for an operator, who may
/// order a new visit (<c>POST /subscriptions/{id}/work-orders {"type":"install"}</c>).
/// </summary>
public static class Installations
{
    /// <summary>Orders the installation of a line in flight that needs one and has none pending or done; returns whether it did.</summary>
    public static async Task<bool> OrderAsync(UnitOfWork db, Line line, long workOrderId, DateTimeOffset now, WorkOrderSignal signal)
    {
        if (Refusal(line) is not null) return false;
        if (await HasLiveOrderAsync(db, line.Id)) return false;
        await WorkOrderStore.CreateAsync(db, workOrderId, line, WorkOrderType.Install, null, now, signal);
        return true;
    }

    /// <summary>Why the line cannot have an installation ordered (a state conflict), or null.</summary>
    public static string? Refusal(Line line) =>
        !LineLifecycle.NeedsInstallation(line.Type) ? $"A {EnumText.Of(line.Type)} line needs no installation."
        : line.Status is not (SubscriptionStatus.PendingActivation or SubscriptionStatus.PendingPortability)
            ? $"A line that is {EnumText.Of(line.Status)} needs no installation."
        : null;

    public static Task<bool> HasLiveOrderAsync(UnitOfWork db, long subscriptionId) =>
        db.QuerySingleOrDefaultAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM work_orders WHERE subscription_id = @subscriptionId AND type = 'install' AND status IN ('pending', 'completed'))",
            new { subscriptionId });

    public static Task<bool> IsDoneAsync(UnitOfWork db, long subscriptionId) =>
        db.QuerySingleOrDefaultAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM work_orders WHERE subscription_id = @subscriptionId AND type = 'install' AND status = 'completed')",
            new { subscriptionId });

    /// <summary>
    /// The field service's final answer on the line's installation, in the transaction that records it: done, the line
    /// becomes active when nothing else is awaited; failed for good, the line says why it is still pending.
    /// </summary>
    public static async Task FinishedAsync(UnitOfWork db, long subscriptionId, long workOrderId, WorkOrderStatus status, string? reason, DateTimeOffset now)
    {
        var line = await LineStore.LoadForUpdateAsync(db, subscriptionId);
        if (line is null || line.Status is not (SubscriptionStatus.PendingActivation or SubscriptionStatus.PendingPortability)) return;
        if (status != WorkOrderStatus.Completed)
        {
            await db.ExecuteAsync(
                "UPDATE subscriptions SET status_reason = @why, updated_at = @now WHERE id = @subscriptionId",
                new { subscriptionId, now, why = $"Installation failed (work order {workOrderId}): {reason}" });
            return;
        }
        var ported = await IsPortedAsync(db, line);
        if (LineLifecycle.ReadyToActivate(line.Type, installed: true, ported, line.NumberMode))
        {
            await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.Active, $"Installed (work order {workOrderId}).", now);
            await LineBarrings.FollowAfterActivationAsync(db, line.Id, now);
        }
        else if (line.Status == SubscriptionStatus.PendingActivation)
            await db.ExecuteAsync("UPDATE subscriptions SET status_reason = @why, updated_at = @now WHERE id = @subscriptionId",
                new { subscriptionId, now, why = "Installed; waiting for the number to be ported." });
    }

    private static Task<bool> IsPortedAsync(UnitOfWork db, Line line) =>
        line.NumberMode != NumberMode.Portability
            ? Task.FromResult(false)
            : db.QuerySingleOrDefaultAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM subscription_portability WHERE subscription_id = @Id AND state = 'ported')", new { line.Id });

    /// <summary>The line's latest installation order, for its view; null for a line that has none.</summary>
    public static async Task<LineInstallation?> OfAsync(NpgsqlConnection connection, long subscriptionId)
    {
        var row = await connection.QueryFirstOrDefaultAsync<InstallationRow>(
            """
            SELECT id, status, attempts, last_error AS LastError, network_answer AS Answer, created_at AS CreatedAt, finished_at AS FinishedAt
            FROM work_orders WHERE subscription_id = @subscriptionId AND type = 'install' ORDER BY created_at DESC, id DESC LIMIT 1
            """, new { subscriptionId });
        if (row is null) return null;
        var status = EnumText.Parse<WorkOrderStatus>(row.Status);
        return new LineInstallation(row.Id, status, row.Attempts, status == WorkOrderStatus.Completed ? null : row.LastError, row.CreatedAt, row.FinishedAt);
    }

    private sealed record InstallationRow(long Id, string Status, int Attempts, string? LastError, string? Answer, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);
}

/// <summary>A completed sale (or line addition): its fixed, internet and TV lines get their installation ordered.</summary>
[ConsumerName("signup-completed")]
public sealed class SignupCompletedConsumer(UnitOfWork db, IdGenerator ids, WorkOrderSignal signal, TimeProvider clock) : InboxConsumer<SignupCompleted>(db)
{
    protected override async Task Handle(SignupCompleted signup, UnitOfWork db, CancellationToken ct)
    {
        var lines = await db.QueryAsync<long>(
            "SELECT id FROM subscriptions WHERE signup_id = @SignupId AND type IN ('fixed', 'internet', 'tv') ORDER BY id", new { signup.SignupId });
        foreach (var id in lines)
            if (await LineStore.LoadForUpdateAsync(db, id) is { } line)
                await Installations.OrderAsync(db, line, ids.Next(), clock.GetUtcNow(), signal);
    }
}
