using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using MasStack.Contracts;

namespace MasStack.Platform.Messaging;

/// <summary>An outbox row to publish, and how rows are (de)serialized.</summary>
public sealed record OutboxMessage(long Id, Guid MessageId, string MessageType, string Body, string Headers, int Attempts)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private static readonly ConcurrentDictionary<string, Type> Types = new();

    /// <summary>The event itself, when the transaction that wrote the row hands it to the relay in memory.</summary>
    public object? Event { get; init; }

    public Type ResolveType() =>
        Event?.GetType() ?? Types.GetOrAdd(MessageType, name => typeof(IIntegrationEvent).Assembly.GetType(name)
            ?? throw new InvalidOperationException($"Unknown event type {name}: is the contracts assembly older than the row?"));

    public object Deserialize() => Event ?? JsonSerializer.Deserialize(Body, ResolveType(), JsonOptions)!;

    public Dictionary<string, string> DeserializeHeaders() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(Headers) ?? [];
}
