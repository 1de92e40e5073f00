using System.Text.Json;

namespace MasStack.Customer.Features.Tree;

public enum LookupKind { Email, Msisdn, DocumentNumber }

/// <summary>A key that finds a user's tree (normalized as stored: lower-case email, E.164 number, upper-case document).</summary>
public readonly record struct TreeLookup(LookupKind Kind, string Value)
{
    public static TreeLookup Email(string email) => new(LookupKind.Email, email);

    public static TreeLookup Msisdn(string e164) => new(LookupKind.Msisdn, e164);

    public static TreeLookup Document(string number) => new(LookupKind.DocumentNumber, number);

    public string CacheKey => $"customer:lookup:{Kind.ToString().ToLowerInvariant()}:{Value}";

    /// <summary>
    /// Whether a tree (as cached JSON) is the one this key finds. A cached key → user mapping is trusted only when the
    /// tree agrees, so a mapping left behind by a race (an email changed while a reader cached the old one) is never served.
    /// </summary>
    public bool IsFoundIn(string treeJson)
    {
        using var tree = JsonDocument.Parse(treeJson);
        var root = tree.RootElement;
        var value = Value;
        return Kind switch
        {
            LookupKind.Email => root.GetProperty("user").GetProperty("email").GetString() == value,
            LookupKind.DocumentNumber => root.GetProperty("user").GetProperty("documentNumber").GetString() == value,
            _ => root.GetProperty("accounts").EnumerateArray()
                .SelectMany(account => account.GetProperty("subscriptions").EnumerateArray())
                .Any(line => line.TryGetProperty("number", out var number) && number.GetString() == value),
        };
    }
}
