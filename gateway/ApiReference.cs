using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace MasStack.Gateway;

/// <summary>
/// The API reference: one OpenAPI document at <c>/openapi/v1.json</c> and Scalar's page reading it at <c>/docs</c>.
/// The document is merged here, at run time, from the documents the services generate from their own endpoints, so it
/// cannot drift from the code: it holds exactly the operations the route table publishes (each under the tag of its
/// route group, with the scopes that route accepts, as <see cref="RouteAccess"/> decides them, and the gateway's own
/// refusals), and a service's endpoint that is not routed stays out.
/// </summary>
public static partial class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string SecurityScheme = "oauth2";
    public const string TokenUrl = "/connect/token";

    public static WebApplicationBuilder AddApiReference(this WebApplicationBuilder builder)
    {
        // Each operation's summary and description where its service gives none: the rows of public-api.md.
        builder.Configuration.AddJsonFile("reference.json", optional: false, reloadOnChange: false);
        builder.Services.Configure<ReferenceSettings>(builder.Configuration.GetSection(ReferenceSettings.Section));
        // Examples of the main operations' bodies (examples.json: JSON values, which configuration would turn to strings).
        builder.Services.Configure<ReferenceSettings>(settings => settings.Examples =
            JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples.json")))!.AsObject());
        builder.Services.AddSingleton<ReferenceDocument>();
        return builder;
    }

    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapGet(DocumentPath, async (ReferenceDocument reference, CancellationToken cancel) =>
            Results.Text((await reference.GetAsync(cancel)).ToJsonString(), "application/json"));
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("MasStack API")
            .DisableDefaultFonts()
            .WithOpenApiRoutePattern(DocumentPath)
            .AddPreferredSecuritySchemes(SecurityScheme)
            .AddClientCredentialsFlow(SecurityScheme, flow => flow.TokenUrl = TokenUrl));
        return app;
    }

    /// <summary>A path template with its parameter names blanked: <c>/accounts/{accountId}</c> and <c>/accounts/{id}</c> are one path.</summary>
    public static string Shape(string template) => Parameter().Replace(template, "{}").TrimEnd('/').ToLowerInvariant();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();

    /// <summary>
    /// Merges the services' documents (by cluster id) into the public one: the routes' operations only, tagged, secured,
    /// with the gateway's refusals; schemas of one name but different shapes in two services are kept apart by prefixing
    /// the later one with its service.
    /// </summary>
    public static JsonObject Merge(IReadOnlyList<RouteConfig> routes, IReadOnlyDictionary<string, JsonObject> services, ReferenceSettings settings)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var tags = new List<string>();
        var scopes = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var (cluster, source) in services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            if (source["components"]?["schemas"] is JsonObject own)
            {
                foreach (var (name, schema) in own)
                {
                    if (schemas[name] is { } existing && !JsonNode.DeepEquals(existing, schema))
                        renames[name] = char.ToUpperInvariant(cluster[0]) + cluster[1..] + name;
                }
            }
            var document = (JsonObject)Rewrite(source, renames)!;
            if (document["components"]?["schemas"] is JsonObject renamed)
                foreach (var (name, schema) in renamed)
                    schemas[renames.GetValueOrDefault(name, name)] ??= schema!.DeepClone();

            var servicePaths = (document["paths"] as JsonObject ?? []).ToDictionary(p => Shape(p.Key), p => (p.Key, Item: (JsonObject)p.Value!));
            foreach (var route in routes.Where(r => r.ClusterId == cluster && r.Match.Path is not null))
            {
                var group = route.Metadata?.GetValueOrDefault("RouteGroup") ?? "";
                if (RouteAccess.OpenGroups.Contains(group)) continue;
                if (!servicePaths.TryGetValue(Shape(route.Match.Path!), out var found)) continue;
                var item = paths[found.Key] as JsonObject ?? new JsonObject();
                paths[found.Key] = item;
                if (found.Item["parameters"] is { } shared && item["parameters"] is null) item["parameters"] = shared.DeepClone();

                var tag = settings.Tags.GetValueOrDefault(group) ?? settings.Tags.GetValueOrDefault(group.Split(':')[0]) ?? group;
                if (!tags.Contains(tag)) tags.Add(tag);
                var accepted = RouteAccess.AcceptedBy(RouteAccess.For(route.RouteId, route.Metadata).AuthorizationPolicy).Order(StringComparer.Ordinal).ToArray();
                scopes.UnionWith(accepted);
                var camara = CamaraErrors.Serves(route.Match.Path);

                foreach (var method in route.Match.Methods ?? [])
                {
                    if (found.Item[method.ToLowerInvariant()] is not JsonObject operation) continue;
                    operation = (JsonObject)operation.DeepClone();
                    operation["tags"] = new JsonArray(tag);
                    var id = OperationId(route.RouteId, method, route.Match.Methods!.Count);
                    operation["operationId"] ??= id;
                    if (settings.Operations.TryGetValue(id, out var text))
                    {
                        operation["summary"] ??= text.Summary;
                        operation["description"] ??= text.Description;
                    }
                    if (settings.Examples[id] is JsonObject examples) AddExamples(operation, examples);
                    operation["security"] = new JsonArray(new JsonObject { [SecurityScheme] = new JsonArray([.. accepted.Select(s => JsonValue.Create(s))]) });
                    var responses = operation["responses"] as JsonObject ?? [];
                    operation["responses"] = responses;
                    foreach (var (status, reference) in GatewayResponses(camara))
                        if (!responses.ContainsKey(status)) responses[status] = new JsonObject { ["$ref"] = reference };
                    item[method.ToLowerInvariant()] = operation;
                }
            }
        }

        foreach (var (name, schema) in GatewaySchemas()) schemas[name] = schema;
        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "MasStack API",
                ["version"] = "v1",
                ["description"] = settings.Description,
                ["license"] = new JsonObject { ["name"] = "Proprietary", ["identifier"] = "LicenseRef-MasStack" },
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/", ["description"] = "This gateway" }),
            ["tags"] = new JsonArray([.. tags.Select(t => new JsonObject { ["name"] = t, ["description"] = settings.TagDescriptions.GetValueOrDefault(t, t) })]),
            ["paths"] = Sorted(paths),
            ["components"] = new JsonObject
            {
                ["schemas"] = Sorted(schemas),
                ["responses"] = ResponseComponents(),
                ["securitySchemes"] = new JsonObject
                {
                    [SecurityScheme] = new JsonObject
                    {
                        ["type"] = "oauth2",
                        ["description"] = "OAuth 2.0 client credentials: POST /connect/token with the client's id and secret and the scopes it needs.",
                        ["flows"] = new JsonObject
                        {
                            ["clientCredentials"] = new JsonObject
                            {
                                ["tokenUrl"] = TokenUrl,
                                ["scopes"] = new JsonObject([.. scopes.Select(s => KeyValuePair.Create(s, (JsonNode?)JsonValue.Create($"Calls the {s} operations.")))]),
                            },
                        },
                    },
                },
            },
        };
    }

    /// <summary>
    /// Puts an operation's examples (<c>{request, responses: {status: body}}</c>) beside the schemas they illustrate; the
    /// lint checks each against its schema, so an example that drifts from the API fails the build.
    /// </summary>
    private static void AddExamples(JsonObject operation, JsonObject examples)
    {
        if (examples["request"] is { } request && operation["requestBody"]?["content"] is JsonObject requestContent)
            foreach (var (_, media) in requestContent) media!["example"] = request.DeepClone();
        foreach (var (status, body) in examples["responses"] as JsonObject ?? [])
            if (operation["responses"]?[status]?["content"] is JsonObject content)
                foreach (var (_, media) in content) media!["example"] = body!.DeepClone();
    }

    private static string OperationId(string routeId, string method, int methods) =>
        methods == 1 ? routeId : $"{routeId}-{method.ToLowerInvariant()}";

    /// <summary>What the gateway itself may answer on any protected route, before the service is reached.</summary>
    private static IEnumerable<(string Status, string Reference)> GatewayResponses(bool camara)
    {
        var prefix = camara ? "#/components/responses/Camara" : "#/components/responses/";
        yield return ("401", prefix + "Unauthorized");
        yield return ("403", prefix + "Forbidden");
        yield return ("429", prefix + "TooManyRequests");
        yield return ("503", prefix + "ServiceUnavailable");
    }

    private static JsonObject ResponseComponents()
    {
        var responses = new JsonObject();
        foreach (var (name, description) in new[]
                 {
                     ("Unauthorized", "No valid access token (a WWW-Authenticate header says why)."),
                     ("Forbidden", "The token's client lacks a scope this operation needs."),
                     ("TooManyRequests", "The client's rate limit is spent; Retry-After says when to try again."),
                     ("ServiceUnavailable", "The service behind this operation is not answering; Retry-After says when to try again."),
                 })
        {
            responses[name] = Response(description, "application/problem+json", "Problem");
            responses["Camara" + name] = Response(description, "application/json", "CamaraErrorInfo");
        }
        return responses;

        static JsonObject Response(string description, string mediaType, string schema) => new()
        {
            ["description"] = description,
            ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + schema } } },
        };
    }

    private static IEnumerable<(string, JsonNode)> GatewaySchemas()
    {
        yield return ("Problem", JsonNode.Parse("""
            {
              "type": "object",
              "description": "RFC 9457 problem details. 'errors' names each offending field (JSON path) with its messages.",
              "required": ["type", "title", "status"],
              "properties": {
                "type": { "type": "string", "format": "uri-reference" },
                "title": { "type": "string" },
                "status": { "type": "integer", "format": "int32" },
                "detail": { "type": "string" },
                "instance": { "type": "string" },
                "traceId": { "type": "string" },
                "errors": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "string" } } }
              }
            }
            """)!);
        yield return ("CamaraErrorInfo", JsonNode.Parse("""
            {
              "type": "object",
              "description": "CAMARA's error body (SIM Swap v2.1.0, release r3.3).",
              "required": ["status", "code", "message"],
              "properties": {
                "status": { "type": "integer", "format": "int32" },
                "code": { "type": "string" },
                "message": { "type": "string" }
              }
            }
            """)!);
    }

    /// <summary>A copy of <paramref name="node"/> with each <c>$ref</c> to a renamed schema pointing at its new name.</summary>
    private static JsonNode? Rewrite(JsonNode? node, IReadOnlyDictionary<string, string> renames)
    {
        const string prefix = "#/components/schemas/";
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value?.GetValue<string>() is { } target && target.StartsWith(prefix, StringComparison.Ordinal)
                        && renames.TryGetValue(target[prefix.Length..], out var renamed))
                        copy[key] = prefix + renamed;
                    else
                        copy[key] = Rewrite(value, renames);
                }
                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Rewrite(item, renames))]);
            default:
                return node?.DeepClone();
        }
    }

    private static JsonObject Sorted(JsonObject obj) =>
        new([.. obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))]);
}

/// <summary>The <c>ApiReference</c> section: the tag each route group is listed under, and the words around it.</summary>
public sealed class ReferenceSettings
{
    public const string Section = "ApiReference";
    public string Description { get; set; } = "";
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> TagDescriptions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>By operation id (the route's id, with <c>-{method}</c> when the route has several): reference.json.</summary>
    public Dictionary<string, OperationText> Operations { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Example bodies by operation id: examples.json.</summary>
    public JsonObject Examples { get; set; } = [];
    /// <summary>How long a merged document is served before the services are asked again.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class OperationText
{
    public string? Summary { get; set; }
    public string? Description { get; set; }
}

/// <summary>Fetches the services' documents through service discovery and keeps the merged one for a while.</summary>
public sealed class ReferenceDocument(IProxyConfigProvider proxy, IHttpClientFactory clients, Microsoft.Extensions.Options.IOptions<ReferenceSettings> settings, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (JsonObject Document, DateTimeOffset At)? _cached;

    public async Task<JsonObject> GetAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel);
        try
        {
            if (_cached is { } cached && time.GetUtcNow() - cached.At < settings.Value.CacheFor) return cached.Document;
            var config = proxy.GetConfig();
            var clusters = config.Routes.Where(r => !RouteAccess.OpenGroups.Contains(r.Metadata?.GetValueOrDefault("RouteGroup") ?? ""))
                .Select(r => r.ClusterId!).Distinct().ToList();
            var client = clients.CreateClient(nameof(ReferenceDocument));
            var documents = await Task.WhenAll(clusters.Select(async cluster =>
            {
                var address = config.Clusters.Single(c => c.ClusterId == cluster).Destinations!.Values.First().Address.TrimEnd('/');
                var json = await client.GetStringAsync(address + "/openapi/v1.json", cancel);
                return (cluster, Document: (JsonObject)JsonNode.Parse(json)!);
            }));
            var merged = ApiReference.Merge(config.Routes, documents.ToDictionary(d => d.cluster, d => d.Document), settings.Value);
            _cached = (merged, time.GetUtcNow());
            return merged;
        }
        finally
        {
            _gate.Release();
        }
    }
}
