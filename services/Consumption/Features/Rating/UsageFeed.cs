using System.Text.Json;
using MasStack.Platform.Formats;

namespace MasStack.Consumption.Features.Rating;

/// <summary>A record as the network sent it, read field by field: the line by <see cref="Msisdn"/> (E.164) or <see cref="SubscriptionId"/>.</summary>
public sealed record IncomingRecord(int Index, string RecordId, string? Msisdn, long? SubscriptionId, UsageType Type, Destination Destination, DateTimeOffset StartedAt, long Quantity);

/// <summary>
/// A batch as the reference describes it: the record ids, the line by <c>msisdn</c> or <c>subscriptionId</c>, what was used
/// (seconds, messages or bytes) and when. <see cref="UsageFeed"/> reads it field by field rather than binding it, so one
/// malformed record is rejected alone.
/// </summary>
public sealed record UsageBatchBody(IReadOnlyList<UsageRecordBody> Records);

public sealed record UsageRecordBody(string RecordId, string? Msisdn, long? SubscriptionId, UsageType Type, Destination Destination, DateTimeOffset StartedAt, long Quantity);

/// <summary>Why one record of a batch was not rated: <c>malformed</c>, <c>unknown-number</c>, <c>unknown-subscription</c>, <c>line-not-active</c>.</summary>
public sealed record RecordRejection(int Index, string? RecordId, string Reason, string Detail);

/// <summary>
/// Reads a batch <c>{"records": [...]}</c> record by record, so that a malformed record (a missing or ill-typed field) is
/// rejected alone and never the good ones beside it. Only a body that is not a batch at all is a 400.
/// </summary>
public static class UsageFeed
{
    public const int MaxRecordIdLength = 128;

    /// <summary>The largest quantity of one record: a day of voice or 1 TB of data is already more than a record holds.</summary>
    public const long MaxQuantity = 1L << 40;

    public static (List<IncomingRecord> Records, List<RecordRejection> Rejections)? Read(JsonDocument body)
    {
        var root = body.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("records", out var array)) root = array;
        if (root.ValueKind != JsonValueKind.Array) return null;

        var records = new List<IncomingRecord>(root.GetArrayLength());
        var rejections = new List<RecordRejection>();
        var numbers = new Dictionary<string, string?>(StringComparer.Ordinal); // a batch holds few lines: each number normalized once
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            var (record, rejection) = ReadOne(index++, element, numbers);
            if (record is not null) records.Add(record);
            else rejections.Add(rejection!);
        }
        return (records, rejections);
    }

    private static (IncomingRecord?, RecordRejection?) ReadOne(int index, JsonElement element, Dictionary<string, string?> numbers)
    {
        if (element.ValueKind != JsonValueKind.Object) return (null, Malformed(index, null, "(record)", "A record is an object."));
        var recordId = String(element, "recordId");
        if (recordId is null || recordId.Length is 0 or > MaxRecordIdLength || recordId.Any(char.IsControl))
            return (null, Malformed(index, recordId, "recordId", $"Required: 1 to {MaxRecordIdLength} printable characters."));

        string? msisdn = null;
        long? subscriptionId = null;
        if (element.TryGetProperty("subscriptionId", out var id) && id.ValueKind != JsonValueKind.Null)
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var value) || value <= 0)
                return (null, Malformed(index, recordId, "subscriptionId", "A positive integer."));
            subscriptionId = value;
        }
        else if (String(element, "msisdn") is { } number)
        {
            if (!numbers.TryGetValue(number, out msisdn)) numbers[number] = msisdn = PhoneNumber.Normalize(number);
            if (msisdn is null) return (null, Malformed(index, recordId, "msisdn", "A Spanish number: 612345678, +34612345678 or 0034612345678."));
        }
        else return (null, Malformed(index, recordId, "msisdn", "The msisdn or the subscriptionId of the line is required."));

        if (TypeOf(String(element, "type")) is not { } type)
            return (null, Malformed(index, recordId, "type", "One of voice, sms, data."));
        if (DestinationOf(String(element, "destination")) is not { } destination)
            return (null, Malformed(index, recordId, "destination", "One of national, international, roaming, premium."));
        if (!element.TryGetProperty("startedAt", out var started) || started.ValueKind != JsonValueKind.String
            || !started.TryGetDateTimeOffset(out var startedAt) || !HasOffset(started.GetString()!))
            return (null, Malformed(index, recordId, "startedAt", "An ISO 8601 time with its offset, e.g. 2026-11-27T10:15:00Z."));
        if (!element.TryGetProperty("quantity", out var q) || q.ValueKind != JsonValueKind.Number || !q.TryGetInt64(out var quantity)
            || quantity <= 0 || quantity > MaxQuantity)
            return (null, Malformed(index, recordId, "quantity", $"A whole number of seconds, messages or bytes, from 1 to {MaxQuantity}."));

        return (new IncomingRecord(index, recordId, msisdn, subscriptionId, type, destination, startedAt.ToUniversalTime(), quantity), null);
    }

    // Spelled out rather than EnumText's general parse: these run once per record, thousands of times a batch.
    private static UsageType? TypeOf(string? text) => text switch { "voice" => UsageType.Voice, "sms" => UsageType.Sms, "data" => UsageType.Data, _ => null };

    private static Destination? DestinationOf(string? text) => text switch
    {
        "national" => Destination.National, "international" => Destination.International, "roaming" => Destination.Roaming, "premium" => Destination.Premium,
        _ => null,
    };

    public static string Text(UsageType type) => type switch { UsageType.Voice => "voice", UsageType.Sms => "sms", _ => "data" };

    public static string Text(Destination destination) => destination switch
    {
        Destination.National => "national", Destination.International => "international", Destination.Roaming => "roaming", _ => "premium",
    };

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || text.Length > 6 && text[^6] is '+' or '-';

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static RecordRejection Malformed(int index, string? recordId, string field, string detail) =>
        new(index, recordId, "malformed", $"{field}: {detail}");
}
