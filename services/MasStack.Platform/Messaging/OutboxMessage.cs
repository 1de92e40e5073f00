using System.Text.Json;
using System.Text.Json.Serialization;
using MasStack.Contracts;

namespace MasStack.Platform.Messaging;

/// <summary>A claimed outbox row, and how rows are (de)serialized.</summary>
public sealed record OutboxMessage(long Id, Guid MessageId, string MessageType, string Body, string Headers, int Attempts)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public Type ResolveType() =>
        typeof(IIntegrationEvent).Assembly.GetType(MessageType)
        ?? throw new InvalidOperationException($"Unknown event type {MessageType}: is the contracts assembly older than the row?");

    public object Deserialize() => JsonSerializer.Deserialize(Body, ResolveType(), JsonOptions)!;

    public Dictionary<string, string> DeserializeHeaders() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(Headers) ?? [];
}
