using System.Text.RegularExpressions;

namespace MasStack.Platform.Formats;

public enum NumberKind { Mobile, Fixed }

public static partial class PhoneNumber
{
    private const string CountryPrefix = "+34";

    /// <summary>
    /// Accepts 612345678, +34612345678 or 0034612345678, with single spaces, dots or dashes
    /// between digits. Returns E.164 ("+34612345678") or null if not a Spanish mobile or fixed number.
    /// </summary>
    public static string? Normalize(string? input)
    {
        if (input is null)
        {
            return null;
        }

        var match = Written().Match(input.Trim());
        if (!match.Success)
        {
            return null;
        }

        var national = new string(match.Groups["national"].Value.Where(char.IsAsciiDigit).ToArray());
        var e164 = CountryPrefix + national;
        return KindOf(e164) is null ? null : e164;
    }

    public static NumberKind? KindOf(string e164)
    {
        if (Mobile().IsMatch(e164))
        {
            return NumberKind.Mobile;
        }

        return Fixed().IsMatch(e164) ? NumberKind.Fixed : null;
    }

    public static bool IsPremiumRate(string e164) => PremiumRate().IsMatch(e164);

    public static bool IsSellableLine(string e164, NumberKind kind) =>
        KindOf(e164) == kind && !IsPremiumRate(e164);

    // Optional +34 / 0034 prefix, then 9 digits with at most one separator between any two.
    [GeneratedRegex(@"^(?:(?:\+|00)34[ .-]?)?(?<national>[0-9](?:[ .-]?[0-9]){8})$")]
    private static partial Regex Written();

    [GeneratedRegex(@"^\+34(?:6[0-9]{8}|7[1-9][0-9]{7})$")]
    private static partial Regex Mobile();

    [GeneratedRegex(@"^\+34[89][0-9]{8}$")]
    private static partial Regex Fixed();

    [GeneratedRegex(@"^\+34(?:80[367]|905)[0-9]{6}$")]
    private static partial Regex PremiumRate();
}
