using System.Text.Json.Nodes;
using MasStack.Platform.Http;

namespace MasStack.Notifications.Features.Hub;

/// <summary>
/// A TMF630 query: <c>eventType=A,B</c> (one or several; none: every type) and equality filters on
/// <see cref="HubEvents.Attributes"/>, joined by <c>&amp;</c>.
/// </summary>
public sealed record HubQuery(IReadOnlyList<string> EventTypes, IReadOnlyDictionary<string, long> Filters)
{
    public static HubQuery? Parse(string? text, ValidationErrors errors)
    {
        var types = new List<string>();
        var filters = new Dictionary<string, long>();
        foreach (var part in (text ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            var key = Uri.UnescapeDataString(pair[0]);
            var value = pair.Length == 2 ? Uri.UnescapeDataString(pair[1]).Trim() : "";
            if (key == "eventType")
            {
                foreach (var type in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!HubEvents.Types.Contains(type))
                    {
                        errors.Add("query", $"Unknown eventType '{type}'; known: {string.Join(", ", HubEvents.Types)}.");
                        return null;
                    }
                    if (!types.Contains(type)) types.Add(type);
                }
                if (value.Length == 0) { errors.Add("query", "eventType needs at least one event type."); return null; }
            }
            else if (HubEvents.Attributes.Contains(key))
            {
                if (!long.TryParse(value, out var number) || number <= 0)
                {
                    errors.Add("query", $"{key} must be a positive number.");
                    return null;
                }
                filters[key] = number;
            }
            else
            {
                errors.Add("query", $"Unknown query attribute '{key}'; known: eventType, {string.Join(", ", HubEvents.Attributes)}.");
                return null;
            }
        }
        return new HubQuery(types, filters);
    }

    public bool Matches(string eventType, JsonObject fields) =>
        (EventTypes.Count == 0 || EventTypes.Contains(eventType))
        && Filters.All(filter => fields[filter.Key] is JsonValue value && value.ToJsonString() == filter.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
