using System.Text.Json.Nodes;
using MasStack.Gateway;
using Yarp.ReverseProxy.Configuration;

namespace MasStack.UnitTests.Gateway;

public class ApiReferenceMergeTests
{
    private static RouteConfig Route(string id, string cluster, string path, string group, params string[] methods) => new()
    {
        RouteId = id,
        ClusterId = cluster,
        Match = new RouteMatch { Path = path, Methods = methods },
        Metadata = new Dictionary<string, string> { ["RouteGroup"] = group },
    };

    private static JsonObject Service(string path, string method, string schemaName, string schemaType) => JsonNode.Parse($$"""
        {
          "openapi": "3.1.1",
          "paths": {
            "{{path}}": { "{{method}}": { "responses": { "200": { "description": "OK",
              "content": { "application/json": { "schema": { "$ref": "#/components/schemas/{{schemaName}}" } } } } } } },
            "/api/v1/internal/unrouted": { "get": { "responses": { "200": { "description": "OK" } } } }
          },
          "components": { "schemas": { "{{schemaName}}": { "type": "{{schemaType}}" } } }
        }
        """)!.AsObject();

    [Fact]
    public void Only_routed_operations_are_published_each_with_its_tag_scopes_and_the_gateways_refusals()
    {
        var routes = new[]
        {
            Route("account", "account", "/api/v1/accounts/{accountId}", "accounts", "GET"),
            Route("balance", "consumption", "/api/v1/subscriptions/{subscriptionId}/balance", "consumption", "GET"),
            Route("openapi-account", "account", "/openapi/account.json", "reference", "GET"),
        };
        var services = new Dictionary<string, JsonObject>
        {
            // Same schema name, different shapes: kept apart
            ["account"] = Service("/api/v1/accounts/{id}", "get", "View", "object"),
            ["consumption"] = Service("/api/v1/subscriptions/{id}/balance", "get", "View", "array"),
        };
        var settings = new ReferenceSettings { Tags = { ["accounts"] = "Accounts" } };

        var merged = ApiReference.Merge(routes, services, settings);

        var paths = merged["paths"]!.AsObject();
        Assert.Equal(["/api/v1/accounts/{id}", "/api/v1/subscriptions/{id}/balance"], paths.Select(p => p.Key).Order());
        var account = paths["/api/v1/accounts/{id}"]!["get"]!;
        Assert.Equal("Accounts", (string)account["tags"]![0]!);
        Assert.Equal("account", (string)account["operationId"]!);
        Assert.Equal("accounts", (string)account["security"]![0]!["oauth2"]![0]!);
        Assert.Equal("#/components/responses/Forbidden", (string)account["responses"]!["403"]!["$ref"]!);
        // An unmapped group is its own tag
        Assert.Equal("consumption", (string)paths["/api/v1/subscriptions/{id}/balance"]!["get"]!["tags"]![0]!);

        var schemas = merged["components"]!["schemas"]!;
        Assert.Equal("object", (string)schemas["View"]!["type"]!);
        Assert.Equal("array", (string)schemas["ConsumptionView"]!["type"]!);
        Assert.Equal("#/components/schemas/ConsumptionView",
            (string)paths["/api/v1/subscriptions/{id}/balance"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
        Assert.NotNull(merged["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!["scopes"]!["consumption"]);
    }
}
