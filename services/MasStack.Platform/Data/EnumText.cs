using System.Text.Json;

namespace MasStack.Platform.Data;

/// <summary>
/// Enumerations are stored as the same lowercase kebab text they travel as in JSON (<c>pending-activation</c>). A value
/// an event carried that this service does not know (a newer producer's) reads as <see cref="Other{T}"/>, stored as
/// <c>other</c>.
/// </summary>
public static class EnumText
{
    public const string OtherText = "other";

    /// <summary>The value that stands for one this service does not know: no member has it.</summary>
    public static T Other<T>() where T : struct, Enum => (T)Enum.ToObject(typeof(T), -1);

    public static string Of<T>(T value) where T : struct, Enum =>
        Enum.IsDefined(value) ? JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString()) : OtherText;

    /// <summary>Stored text back to its value (<c>other</c> to <see cref="Other{T}"/>).</summary>
    public static T Parse<T>(string text) where T : struct, Enum =>
        text == OtherText ? Other<T>()
        : TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}.");

    /// <summary>Only the exact lowercase kebab spelling (<c>pending-activation</c>), as a client must send it.</summary>
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Of(candidate) != text) continue;
            value = candidate;
            return true;
        }
        return false;
    }

    /// <summary>The spellings a client may send, for error messages: <c>prepaid, postpaid</c>.</summary>
    public static string Choices<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(Of));
}
