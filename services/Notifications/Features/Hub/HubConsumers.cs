using System.Text.Json;
using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;

namespace MasStack.Notifications.Features.Hub;

// The events the hub publishes, each consumed once (inbox) and turned, in the same transaction, into one delivery per
// matching active registration. The event id (webhook-id) is made here, once: a redelivered message adds nothing.

[ConsumerName("hub-subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db, DeliverySignal signal) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override bool Concerns(SubscriptionStatusChanged e) => e.To == SubscriptionStatus.Active && e.From != SubscriptionStatus.Barred;

    protected override Task Handle(SubscriptionStatusChanged e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.SubscriptionActivated, e.ChangedAt, e);
}

[ConsumerName("hub-sim-replaced")]
public sealed class SimReplacedConsumer(UnitOfWork db, DeliverySignal signal) : InboxConsumer<SimReplaced>(db)
{
    protected override Task Handle(SimReplaced e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.SimSwapped, e.ReplacedAt, e);
}

[ConsumerName("hub-barring-changed")]
public sealed class BarringChangedConsumer(UnitOfWork db, DeliverySignal signal) : InboxConsumer<SubscriptionBarringChanged>(db)
{
    protected override Task Handle(SubscriptionBarringChanged e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.BarringChanged, e.ChangedAt, e);
}

[ConsumerName("hub-invoice-issued")]
public sealed class InvoiceIssuedConsumer(UnitOfWork db, DeliverySignal signal) : InboxConsumer<InvoiceIssued>(db)
{
    protected override Task Handle(InvoiceIssued e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.InvoiceIssued, e.IssuedAt, e);
}

[ConsumerName("hub-consumption-limit-warned")]
public sealed class LimitWarnedConsumer(UnitOfWork db, DeliverySignal signal) : InboxConsumer<ConsumptionLimitWarned>(db)
{
    protected override Task Handle(ConsumptionLimitWarned e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.LimitWarning, e.WarnedAt, e);
}

[ConsumerName("hub-consumption-limit-reached")]
public sealed class LimitReachedConsumer(UnitOfWork db, DeliverySignal signal) : InboxConsumer<ConsumptionLimitReached>(db)
{
    protected override Task Handle(ConsumptionLimitReached e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.LimitReached, e.ReachedAt, e);
}

[ConsumerName("hub-signup-completed")]
public sealed class SaleCompletedConsumer(UnitOfWork db, DeliverySignal signal, TimeProvider clock) : InboxConsumer<SignupCompleted>(db)
{
    protected override Task Handle(SignupCompleted e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.SaleCompleted, clock.GetUtcNow(), e);
}

[ConsumerName("hub-signup-failed")]
public sealed class SaleFailedConsumer(UnitOfWork db, DeliverySignal signal, TimeProvider clock) : InboxConsumer<SignupFailed>(db)
{
    protected override Task Handle(SignupFailed e, UnitOfWork db, CancellationToken ct) =>
        HubDeliveries.RecordAsync(db, signal, HubEvents.SaleFailed, clock.GetUtcNow(), e);
}

public static class HubDeliveries
{
    private sealed record Registration(Guid Id, string EventTypes, string Filters);

    public static async Task RecordAsync<T>(UnitOfWork db, DeliverySignal signal, string eventType, DateTimeOffset eventTime, T message)
    {
        var registrations = await db.QueryAsync<Registration>(
            "SELECT id AS Id, event_types AS EventTypes, filters::text AS Filters FROM hub_registrations WHERE state = 'active'");
        var fields = HubEvents.Fields(message);
        var eventId = Guid.CreateVersion7();
        var body = HubEvents.Envelope(eventId, eventTime, eventType, fields);
        var subject = HubEvents.Subject(eventType, fields);
        var version = HubEvents.Version(fields);
        var any = false;
        foreach (var registration in registrations)
        {
            var query = new HubQuery(
                registration.EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries),
                JsonSerializer.Deserialize<Dictionary<string, long>>(registration.Filters)!);
            if (!query.Matches(eventType, fields)) continue;
            await db.ExecuteAsync(
                """
                INSERT INTO hub_deliveries (registration_id, event_id, subject, version, body, traceparent)
                VALUES (@id, @eventId, @subject, @version, @body, @traceparent)
                """,
                new { id = registration.Id, eventId, subject, version, body, traceparent = Telemetry.Traceparent });
            any = true;
        }
        if (any) db.AfterCommit(() => { signal.Wake(); return Task.CompletedTask; });
    }
}
