using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;

namespace MasStack.Customer.Features.Users;

/// <summary>The outcome of a merge patch: the new data and what changed, or why it is refused.</summary>
public sealed record UserPatchOutcome(UserData? Updated, IReadOnlyDictionary<string, FieldChange> Changes, ValidationErrors Errors, string? RefusedBecause);

/// <summary>
/// Applies a JSON merge patch (RFC 7396) to a user's personal data, validating each field as a sale does.
/// Pure: the endpoint only loads, stores and answers. The identity document never changes here (a business rule,
/// 422); fields the server owns (ids, timestamps, the bank account, which is Billing's payment info) cannot be set (400).
/// </summary>
public static class UserPatch
{
    public const int AdultAge = 18;
    public const int MaxNameLength = 100;
    private static readonly string[] ReadOnly = ["userId", "createdAt", "updatedAt", "bankAccount"];

    public static UserPatchOutcome Apply(UserData current, JsonObject patch, DateOnly today)
    {
        var errors = new ValidationErrors();
        foreach (var field in ReadOnly.Where(patch.ContainsKey))
            errors.Add(field, field == "bankAccount"
                ? "The bank account is changed through /accounts/{accountId}/payment-info."
                : "Set by the server; it cannot be changed.");

        var documentChanged = patch.TryGetPropertyValue("documentType", out var type) && !SameText(type, current.DocumentType)
            || patch.TryGetPropertyValue("documentNumber", out var number) && !SameDocument(number, current.DocumentNumber);

        var firstName = Name(errors, patch, "firstName", current.FirstName);
        var lastName = Name(errors, patch, "lastName", current.LastName);
        var email = Text(errors, patch, "email", current.Email, EmailAddress.Normalize, "Not a valid email address.");
        var phone = Text(errors, patch, "phone", current.Phone, PhoneNumber.Normalize,
            "Not a valid Spanish phone number (612345678, +34612345678 or 0034612345678).");
        var birthDate = BirthDate(errors, patch, current.BirthDate, today);
        var address = Address(errors, patch, current.Address);

        if (!errors.IsEmpty) return new UserPatchOutcome(null, new Dictionary<string, FieldChange>(), errors, null);
        if (documentChanged)
            return new UserPatchOutcome(null, new Dictionary<string, FieldChange>(), errors,
                "The identity document cannot be changed; a different holder is a new customer.");

        var updated = current with
        {
            FirstName = firstName!, LastName = lastName!, Email = email!, Phone = phone!, BirthDate = birthDate!.Value, Address = address!,
        };
        return new UserPatchOutcome(updated, Diff(current, updated), errors, null);
    }

    public static Dictionary<string, FieldChange> Diff(UserData before, UserData after)
    {
        var changes = new Dictionary<string, FieldChange>();
        void Compare(string field, object from, object to)
        {
            if (!Equals(from, to)) changes[field] = new FieldChange(from, to);
        }
        Compare("firstName", before.FirstName, after.FirstName);
        Compare("lastName", before.LastName, after.LastName);
        Compare("email", before.Email, after.Email);
        Compare("phone", before.Phone, after.Phone);
        Compare("birthDate", before.BirthDate, after.BirthDate);
        Compare("address", before.Address, after.Address);
        return changes;
    }

    private static string? Name(ValidationErrors errors, JsonObject patch, string field, string current) =>
        Text(errors, patch, field, current,
            value => value.Trim() is { Length: > 0 and <= MaxNameLength } trimmed ? trimmed : null,
            $"1 to {MaxNameLength} characters.");

    /// <summary>The normalized new value, the current one when the patch leaves it out, or null after an error.</summary>
    private static string? Text(ValidationErrors errors, JsonObject patch, string field, string current, Func<string, string?> normalize, string message)
    {
        if (!patch.TryGetPropertyValue(field, out var node)) return current;
        if (node is null)
        {
            errors.Add(field, "Required; it cannot be removed.");
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            errors.Add(field, "Must be a string.");
            return null;
        }
        var normalized = normalize(node.GetValue<string>());
        if (normalized is null) errors.Add(field, message);
        return normalized;
    }

    private static DateOnly? BirthDate(ValidationErrors errors, JsonObject patch, DateOnly current, DateOnly today)
    {
        var text = Text(errors, patch, "birthDate", current.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            value => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? value : null,
            "A date as yyyy-MM-dd.");
        if (text is null) return null;
        var date = DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (date == current) return date;
        if (date > today) errors.Add("birthDate", "The birth date is in the future.");
        else if (date.AddYears(AdultAge) > today) errors.Add("birthDate", $"The customer must be at least {AdultAge}.");
        return date;
    }

    /// <summary>A merge patch of the address object: only the parts it names change, then the whole is validated.</summary>
    private static PostalAddress? Address(ValidationErrors errors, JsonObject patch, PostalAddress current)
    {
        if (!patch.TryGetPropertyValue("address", out var node)) return current;
        if (node is not JsonObject parts)
        {
            errors.Add("address", node is null ? "Required; it cannot be removed." : "Must be an object.");
            return null;
        }
        string? Part(string name, string value)
        {
            if (!parts.TryGetPropertyValue(name, out var part)) return value;
            if (part is null) return null;
            if (part.GetValueKind() == JsonValueKind.String) return part.GetValue<string>();
            errors.Add($"address.{name}", "Must be a string.");
            return value;
        }
        return PostalAddresses.Validate(errors, "address",
            Part("street", current.Street), Part("city", current.City), Part("postalCode", current.PostalCode),
            Part("province", current.Province), Part("country", current.Country));
    }

    private static bool SameText(JsonNode? node, string current) =>
        node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>().Trim().Equals(current, StringComparison.OrdinalIgnoreCase);

    private static bool SameDocument(JsonNode? node, string current) =>
        node?.GetValueKind() == JsonValueKind.String
        && node.GetValue<string>().Replace(" ", "").Replace("-", "").ToUpperInvariant() == current;
}
