using MasStack.Contracts;
using MasStack.Platform.Http;

namespace MasStack.Platform.Formats;

/// <summary>Postal addresses in Spain, validated the same way wherever a client writes one (a sale, user data, shipping details).</summary>
public static class PostalAddresses
{
    public const string Spain = "ES";

    /// <summary>The trimmed address, or null after adding an error per bad part, named <c>{field}.street</c> and so on.</summary>
    public static PostalAddress? Validate(
        ValidationErrors errors, string field, string? street, string? city, string? postalCode, string? province, string? country)
    {
        var ok = errors.Required($"{field}.street", street)
                 & errors.Required($"{field}.city", city)
                 & errors.Required($"{field}.province", province);
        if (errors.Required($"{field}.postalCode", postalCode) && !IsSpanishPostalCode(postalCode!.Trim()))
        {
            errors.Add($"{field}.postalCode", "Five digits, starting 01 to 52.");
            ok = false;
        }
        var countryCode = string.IsNullOrWhiteSpace(country) ? Spain : country.Trim().ToUpperInvariant();
        if (countryCode != Spain)
        {
            errors.Add($"{field}.country", "Only addresses in Spain (ES) are served.");
            ok = false;
        }
        return ok ? new PostalAddress(street!.Trim(), city!.Trim(), postalCode!.Trim(), province!.Trim(), countryCode) : null;
    }

    public static bool IsSpanishPostalCode(string code) =>
        code.Length == 5 && code.All(char.IsAsciiDigit) && int.Parse(code[..2]) is >= 1 and <= 52;
}
