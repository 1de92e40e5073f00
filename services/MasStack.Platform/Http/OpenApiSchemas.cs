using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MasStack.Platform.Http;

/// <summary>
/// What the generated documents must say that the generator gets wrong for this API. Numbers: the web serializer
/// accepts a number written as a string, so the generator describes every id and amount as "integer or string" with a
/// pattern; a client generated from that is wrong, and the API answers numbers as numbers. They are described as what
/// they are: <c>integer</c> <c>int64</c> for ids and counts, <c>number</c> for amounts, with no string pattern.
/// </summary>
public static class OpenApiSchemas
{
    public static Task StrictNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancel)
    {
        if (schema.Type is { } type && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>required</c> lists what is always there: a property that may be null (a C# nullable) may as well be left out, so
    /// the generator's "every constructor parameter is required" is narrowed to the properties that are never null.
    /// </summary>
    public static Task RequiredIsNeverNull(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancel)
    {
        if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties)
                if (property.Type is { } type && type.HasFlag(JsonSchemaType.Null)) required.Remove(name);
        }
        return Task.CompletedTask;
    }
}
