using System.Net.Mail;

namespace MasStack.Platform.Formats;

public static class EmailAddress
{
    private const int MaxLength = 254;

    /// <summary>Trimmed and lower-cased address, or null if it is not a plain, syntactically valid address.</summary>
    public static string? Normalize(string? value)
    {
        var email = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(email) || email.Length > MaxLength || email.Any(char.IsWhiteSpace))
        {
            return null;
        }

        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@'))
        {
            return null;
        }

        var domain = email[(at + 1)..];
        if (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.'))
        {
            return null;
        }

        // MailAddress also accepts display-name forms ("Ana <ana@x.es>"); only the bare address may pass.
        return MailAddress.TryCreate(email, out var parsed) && parsed.Address == email ? email : null;
    }
}
