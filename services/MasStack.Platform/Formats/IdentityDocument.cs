namespace MasStack.Platform.Formats;

public enum DocumentType { Dni, Nie, Passport, Cif }

public static class IdentityDocument
{
    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
    private const string CifOrgLetters = "ABCDEFGHJNPQRSUVW";
    private const string CifControlLetters = "JABCDEFGHI";

    /// <summary>Upper-cased, without spaces or dashes; null if not a valid document of <paramref name="type"/>.</summary>
    public static string? Normalize(DocumentType type, string? number)
    {
        if (number is null)
        {
            return null;
        }

        var value = number.Replace(" ", "", StringComparison.Ordinal)
            .Replace("-", "", StringComparison.Ordinal)
            .ToUpperInvariant();

        var valid = type switch
        {
            DocumentType.Dni => IsValidDni(value),
            DocumentType.Nie => IsValidNie(value),
            DocumentType.Passport => value.Length is >= 6 and <= 12 && value.All(char.IsAsciiLetterOrDigit),
            DocumentType.Cif => IsValidCif(value),
            _ => false,
        };
        return valid ? value : null;
    }

    public static bool TryParseType(string? value, out DocumentType type)
    {
        DocumentType? parsed = value?.Trim().ToLowerInvariant() switch
        {
            "dni" => DocumentType.Dni,
            "nie" => DocumentType.Nie,
            "passport" => DocumentType.Passport,
            "cif" => DocumentType.Cif,
            _ => null,
        };
        type = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    private static bool IsValidDni(string value) =>
        value.Length == 9
        && value[..8].All(char.IsAsciiDigit)
        && value[8] == DniLetters[int.Parse(value[..8]) % 23];

    // A NIE is a DNI whose first digit is written as X, Y or Z.
    private static bool IsValidNie(string value) =>
        value.Length == 9
        && "XYZ".Contains(value[0])
        && IsValidDni((char)('0' + "XYZ".IndexOf(value[0])) + value[1..]);

    private static bool IsValidCif(string value)
    {
        if (value.Length != 9 || !CifOrgLetters.Contains(value[0]) || !value[1..8].All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var position = 1; position <= 7; position++)
        {
            var digit = value[position] - '0';
            // Odd positions are doubled and their digits added (e.g. 7 -> 14 -> 1 + 4).
            sum += position % 2 == 0 ? digit : digit * 2 / 10 + digit * 2 % 10;
        }

        var control = (10 - sum % 10) % 10;
        var asDigit = value[8] == (char)('0' + control);
        var asLetter = value[8] == CifControlLetters[control];
        return value[0] switch
        {
            'P' or 'Q' or 'R' or 'S' or 'N' or 'W' => asLetter,
            'A' or 'B' or 'E' or 'H' => asDigit,
            _ => asDigit || asLetter,
        };
    }
}
