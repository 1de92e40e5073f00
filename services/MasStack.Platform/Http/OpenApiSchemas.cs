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
        if (schema.Required is not { Count: > 0 } required) return Task.CompletedTask;
        // By the C# type (a nullable value type or a reference annotated nullable): the schema of a nullable reference to
        // another schema is only made a oneOf [null, $ref] after the transformers ran.
        foreach (var property in context.JsonTypeInfo.Properties)
            if (property.IsGetNullable) required.Remove(property.Name);
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            if (property.Type is { } type && type.HasFlag(JsonSchemaType.Null)) required.Remove(name);
        return Task.CompletedTask;
    }

    /// <summary>
    /// An enumeration lists its values, and null is none of them: the generator adds null to the shared enum schema when it
    /// first meets the type as nullable, and each nullable use already says <c>oneOf: [null, $ref]</c> — with null in both,
    /// a null matches two branches of that oneOf and is invalid.
    /// </summary>
    public static Task NullIsNoEnumValue(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancel)
    {
        if (schema.Enum is { Count: > 0 } values && values.Any(IsNull))
            schema.Enum = [.. values.Where(v => !IsNull(v))];
        return Task.CompletedTask;
    }

    private static bool IsNull(System.Text.Json.Nodes.JsonNode? value) => value is null || JsonNullSentinel.IsJsonNullSentinel(value);
}
