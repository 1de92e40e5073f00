using System.Text.Json;
using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Platform.Messaging;

namespace MasStack.Notifications.Features.Hub;

/// <summary>
/// The public event types of the hub, named as TMF names its events, and the internal event each one comes from. The
/// payload a callback receives is TMF's envelope: <c>{ eventId, eventTime, eventType, event: { … } }</c>, the event being
/// the internal event's fields (camelCase) — subscriptionId / accountId / userId among them, which queries filter on.
/// </summary>
public static class HubEvents
{
    public const string SubscriptionActivated = "SubscriptionActivatedEvent";     // SubscriptionStatusChanged to active
    public const string SimSwapped = "SimSwappedEvent";                           // SimReplaced
    public const string BarringChanged = "SubscriptionBarringChangedEvent";       // SubscriptionBarringChanged
    public const string InvoiceIssued = "CustomerBillCreateEvent";                // InvoiceIssued (TMF678's name)
    public const string LimitWarning = "ConsumptionLimitWarningEvent";            // ConsumptionLimitWarned
    public const string LimitReached = "ConsumptionLimitReachedEvent";            // ConsumptionLimitReached
    public const string SaleCompleted = "SaleCompletedEvent";                     // SignupCompleted
    public const string SaleFailed = "SaleFailedEvent";                           // SignupFailed

    public static readonly string[] Types =
        [SubscriptionActivated, SimSwapped, BarringChanged, InvoiceIssued, LimitWarning, LimitReached, SaleCompleted, SaleFailed];

    /// <summary>The attributes a query may filter on (equality, numbers).</summary>
    public static readonly string[] Attributes = ["subscriptionId", "accountId", "userId"];

    public static readonly JsonSerializerOptions Json = OutboxMessage.JsonOptions;

    /// <summary>The event's fields as the payload carries them.</summary>
    public static JsonObject Fields<T>(T message) => JsonSerializer.SerializeToNode(message, Json)!.AsObject();

    /// <summary>The envelope a callback receives.</summary>
    public static string Envelope(Guid eventId, DateTimeOffset eventTime, string eventType, JsonObject fields) =>
        new JsonObject
        {
            ["eventId"] = eventId.ToString(),
            ["eventTime"] = eventTime.ToUniversalTime().ToString("O"),
            ["eventType"] = eventType,
            ["event"] = fields,
        }.ToJsonString(Json);

    /// <summary>
    /// What the ordering rule orders by: the line (else the account, else the sale) and the stream of changes the event
    /// belongs to — one producer's aggregate, whose <c>version</c> orders its events. Events of two streams (a line's
    /// barring profile and its lifecycle) carry versions of different counters, so there is no order between them to keep.
    /// </summary>
    public static string Subject(string eventType, JsonObject fields) =>
        (fields["subscriptionId"] is { } s ? "subscription:" + s
        : fields["accountId"] is { } a ? "account:" + a
        : fields["signupId"] is { } g ? "signup:" + g : "none") + "/" + Stream(eventType);

    /// <summary>The event's place in its stream (0 for events without a version: they keep the order they arrived in).</summary>
    public static long Version(JsonObject fields) => fields["version"] is JsonValue v && long.TryParse(v.ToJsonString(), out var version) ? version : 0;

    private static string Stream(string eventType) => eventType switch
    {
        SubscriptionActivated or SimSwapped => "line",        // Subscription's line version
        BarringChanged => "barring",                          // Barring's profile version
        LimitWarning or LimitReached => "limit",              // Consumption's limit state version
        InvoiceIssued => "invoice",
        _ => "sale",
    };
}
