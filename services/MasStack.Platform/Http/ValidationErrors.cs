namespace MasStack.Platform.Http;

/// <summary>Collects field errors for a 400 validation problem; fields are named as the client wrote them (<c>lines[0].number</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages)) _errors[field] = messages = [];
        messages.Add(message);
    }

    /// <summary>Adds "is required" when the value is missing or blank; returns whether it was present.</summary>
    public bool Required(string field, object? value)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s))
        {
            Add(field, "The field is required.");
            return false;
        }
        return true;
    }

    /// <summary>A 400 naming one field.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem For(string field, string message) =>
        Microsoft.AspNetCore.Http.TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
