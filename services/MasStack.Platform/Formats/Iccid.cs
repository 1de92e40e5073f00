namespace MasStack.Platform.Formats;

/// <summary>SIM card serial (ICCID) for Spain: 19 or 20 digits, "8934" prefix, Luhn check digit last.</summary>
public static class Iccid
{
    private const string SpainPrefix = "8934";

    /// <summary>What a valid ICCID looks like, for the message of a 400 naming the field.</summary>
    public const string Expected = "19 or 20 digits starting 8934, the last a Luhn check digit.";

    public static bool IsValid(string? value) =>
        value is { Length: 19 or 20 }
        && value.StartsWith(SpainPrefix, StringComparison.Ordinal)
        && value.All(char.IsAsciiDigit)
        && value[^1] == CheckDigit(value[..^1]);

    /// <summary>Luhn check digit to append to <paramref name="digitsWithoutCheck"/>.</summary>
    public static char CheckDigit(string digitsWithoutCheck)
    {
        ArgumentException.ThrowIfNullOrEmpty(digitsWithoutCheck);
        if (!digitsWithoutCheck.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("Only digits are allowed.", nameof(digitsWithoutCheck));
        }

        var sum = 0;
        for (var i = 0; i < digitsWithoutCheck.Length; i++)
        {
            var digit = digitsWithoutCheck[^(i + 1)] - '0';
            // The check digit will sit to the right, so the rightmost payload digit is doubled.
            if (i % 2 == 0)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return (char)('0' + (10 - sum % 10) % 10);
    }
}
