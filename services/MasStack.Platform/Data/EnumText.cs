using System.Text.Json;

namespace MasStack.Platform.Data;

/// <summary>Enumerations are stored as the same lowercase kebab text they travel as in JSON (<c>pending-activation</c>).</summary>
public static class EnumText
{
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static T Parse<T>(string text) where T : struct, Enum =>
        Enum.Parse<T>(text.Replace("-", ""), ignoreCase: true);
}
