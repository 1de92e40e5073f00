using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;
using Npgsql;

namespace MasStack.Notifications.Features.Hub;

// The events the hub publishes, each consumed once (inbox) and turned, in the same transaction, into one delivery per
// matching active registration. The event id (webhook-id) is made here, once: a redelivered message adds nothing.

[ConsumerName("hub-subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal)
    : HubConsumer<SubscriptionStatusChanged>(db, database, signal, HubEvents.SubscriptionActivated)
{
    protected override bool Concerns(SubscriptionStatusChanged e) => e.To == SubscriptionStatus.Active && e.From != SubscriptionStatus.Barred;

    protected override DateTimeOffset OccurredAt(SubscriptionStatusChanged e) => e.ChangedAt;
}

[ConsumerName("hub-sim-replaced")]
public sealed class SimReplacedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal)
    : HubConsumer<SimReplaced>(db, database, signal, HubEvents.SimSwapped)
{
    protected override DateTimeOffset OccurredAt(SimReplaced e) => e.ReplacedAt;
}

[ConsumerName("hub-barring-changed")]
public sealed class BarringChangedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal)
    : HubConsumer<SubscriptionBarringChanged>(db, database, signal, HubEvents.BarringChanged)
{
    protected override DateTimeOffset OccurredAt(SubscriptionBarringChanged e) => e.ChangedAt;
}

[ConsumerName("hub-invoice-issued")]
public sealed class InvoiceIssuedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal)
    : HubConsumer<InvoiceIssued>(db, database, signal, HubEvents.InvoiceIssued)
{
    protected override DateTimeOffset OccurredAt(InvoiceIssued e) => e.IssuedAt;
}

[ConsumerName("hub-consumption-limit-warned")]
public sealed class LimitWarnedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal)
    : HubConsumer<ConsumptionLimitWarned>(db, database, signal, HubEvents.LimitWarning)
{
    protected override DateTimeOffset OccurredAt(ConsumptionLimitWarned e) => e.WarnedAt;
}

[ConsumerName("hub-consumption-limit-reached")]
public sealed class LimitReachedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal)
    : HubConsumer<ConsumptionLimitReached>(db, database, signal, HubEvents.LimitReached)
{
    protected override DateTimeOffset OccurredAt(ConsumptionLimitReached e) => e.ReachedAt;
}

[ConsumerName("hub-signup-completed")]
public sealed class SaleCompletedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal, TimeProvider clock)
    : HubConsumer<SignupCompleted>(db, database, signal, HubEvents.SaleCompleted)
{
    protected override DateTimeOffset OccurredAt(SignupCompleted e) => clock.GetUtcNow();
}

[ConsumerName("hub-signup-failed")]
public sealed class SaleFailedConsumer(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal, TimeProvider clock)
    : HubConsumer<SignupFailed>(db, database, signal, HubEvents.SaleFailed)
{
    protected override DateTimeOffset OccurredAt(SignupFailed e) => clock.GetUtcNow();
}

/// <summary>
/// One of the hub's events: a delivery for each active registration whose query matches it, recorded in the consumer's
/// transaction. The registrations are read before that transaction opens, so an event no registration wants (most of
/// them, on most days) is passed over without one: no inbox row, no commit. A registration made or dropped between two
/// deliveries of one message can decide the second differently; either outcome is what a subscriber may expect of an event
/// that happened as it registered. A registration deleted before the transaction commits fails it on its key, and the
/// retry reads the registrations again.
/// </summary>
public abstract class HubConsumer<T>(UnitOfWork db, NpgsqlDataSource database, DeliverySignal signal, string eventType) : InboxConsumer<T>(db)
    where T : class
{
    private sealed record Registration(Guid Id, string EventTypes, string Filters);

    private JsonObject _fields = [];
    private List<Guid> _matching = [];

    /// <summary>When the event happened, as the envelope's time says.</summary>
    protected abstract DateTimeOffset OccurredAt(T message);

    protected override async Task<bool> PrepareAsync(T message, CancellationToken ct)
    {
        _fields = HubEvents.Fields(message);
        await using var connection = await database.OpenConnectionAsync(ct);
        var registrations = await connection.QueryAsync<Registration>(
            "SELECT id AS Id, event_types AS EventTypes, filters::text AS Filters FROM hub_registrations WHERE state = 'active'");
        _matching = [.. registrations
            .Where(r => new HubQuery(r.EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries), JsonSerializer.Deserialize<Dictionary<string, long>>(r.Filters)!)
                .Matches(eventType, _fields))
            .Select(r => r.Id)];
        return _matching.Count > 0;
    }

    protected override async Task Handle(T message, UnitOfWork db, CancellationToken ct)
    {
        var eventId = Guid.CreateVersion7();
        var body = HubEvents.Envelope(eventId, OccurredAt(message), eventType, _fields);
        var subject = HubEvents.Subject(eventType, _fields);
        var version = HubEvents.Version(_fields);
        foreach (var id in _matching)
            await db.ExecuteAsync(
                """
                INSERT INTO hub_deliveries (registration_id, event_id, subject, version, body, traceparent)
                VALUES (@id, @eventId, @subject, @version, @body, @traceparent)
                """,
                new { id, eventId, subject, version, body, traceparent = Telemetry.Traceparent });
        db.AfterCommit(() => { signal.Wake(); return Task.CompletedTask; });
    }
}
