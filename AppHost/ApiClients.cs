using MasStack.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace MasStack.AppHost;

/// <summary>
/// The clients of the public API as the AppHost gives them to Identity and the gateway. The standard clients' scopes are
/// Identity's own configuration (its appsettings.json); their secrets are secret parameters <c>{client}-client-secret</c>
/// (<c>Parameters:{client}-client-secret</c>), with a development default that is printed at start: never a production
/// secret, which Kubernetes takes from the <c>identity-clients</c> Secret instead. Extra clients (the tests' own) come from
/// the AppHost's configuration, <c>MasStack:Clients:{id}:Scopes</c>, <c>:Secret</c> and <c>:RateLimit:*</c>
/// (the gateway's <c>RateLimiting:Clients:{id}</c> settings).
/// </summary>
public static class ApiClients
{
    public const string ExtraClientsSection = "MasStack:Clients";

    public static string SecretParameter(string client) => $"{client}-client-secret";

    public static string DevelopmentSecret(string client) => $"dev-{client}-secret";

    public static void AddApiClients(this IDistributedApplicationBuilder builder, ServiceReplicas identity, IResourceBuilder<ProjectResource> gateway)
    {
        var printed = new List<string>();
        foreach (var client in ResourceNames.ApiClients)
        {
            var name = SecretParameter(client);
            var configured = builder.Configuration[$"Parameters:{name}"];
            var secret = builder.AddParameter(name, configured ?? DevelopmentSecret(client), secret: true);
            foreach (var instance in identity.Instances) instance.WithEnvironment($"Identity__Clients__{client}__Secret", secret);
            if (configured is null) printed.Add($"{client} / {DevelopmentSecret(client)}");
        }
        if (printed.Count > 0 && !builder.ExecutionContext.IsPublishMode)
            Console.WriteLine($"MasStack API clients (development secrets; POST /connect/token with grant_type=client_credentials): {string.Join(", ", printed)}.");

        foreach (var extra in builder.Configuration.GetSection(ExtraClientsSection).GetChildren())
        {
            foreach (var (key, value) in extra.AsEnumerable(makePathsRelative: true))
            {
                if (value is null) continue;
                if (key.StartsWith("RateLimit:", StringComparison.Ordinal))
                    gateway.WithEnvironment($"RateLimiting__Clients__{extra.Key}__{key["RateLimit:".Length..].Replace(":", "__", StringComparison.Ordinal)}", value);
                else
                    foreach (var instance in identity.Instances)
                        instance.WithEnvironment($"Identity__Clients__{extra.Key}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
            }
        }
    }
}
