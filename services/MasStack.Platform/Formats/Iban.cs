using System.Text;

namespace MasStack.Platform.Formats;

public static class Iban
{
    /// <summary>Strips spaces and upper-cases; null unless a valid ISO 13616 IBAN (Spanish ones: ES + 22 digits).</summary>
    public static string? Normalize(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var iban = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (iban.Length is < 15 or > 34
            || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1])
            || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3])
            || !iban.All(char.IsAsciiLetterOrDigit))
        {
            return null;
        }

        if (iban.StartsWith("ES", StringComparison.Ordinal) && (iban.Length != 24 || !iban[2..].All(char.IsAsciiDigit)))
        {
            return null;
        }

        return Mod97(iban) == 1 ? iban : null;
    }

    /// <summary>"ES** **** **** **** **** 1332": country kept, last four kept, the rest hidden, in groups of four.</summary>
    public static string Mask(string normalizedIban)
    {
        ArgumentNullException.ThrowIfNull(normalizedIban);
        if (normalizedIban.Length < 8)
        {
            throw new ArgumentException("Not a normalized IBAN.", nameof(normalizedIban));
        }

        var masked = normalizedIban[..2]
            + new string('*', normalizedIban.Length - 6)
            + normalizedIban[^4..];

        var grouped = new StringBuilder();
        for (var i = 0; i < masked.Length; i += 4)
        {
            if (i > 0)
            {
                grouped.Append(' ');
            }

            grouped.Append(masked.AsSpan(i, Math.Min(4, masked.Length - i)));
        }

        return grouped.ToString();
    }

    // ISO 13616: move the first four chars to the end, read letters as 10..35, take the number mod 97.
    private static int Mod97(string iban)
    {
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97;
        }

        return remainder;
    }
}
