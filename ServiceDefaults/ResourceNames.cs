namespace MasStack.ServiceDefaults;

/// <summary>Names of the suite's resources, shared by the AppHost, the services, the gateway and the tests.</summary>
public static class ResourceNames
{
    public const string Postgres = "postgres";
    public const string Redis = "redis";
    public const string RabbitMq = "rabbitmq";
    public const string Gateway = "gateway";

    /// <summary>The OAuth 2.0 authorization server (client credentials), reached from outside only through the gateway.</summary>
    public const string Identity = "identity";

    public const string Signup = "signup";
    public const string Customer = "customer";
    public const string Account = "account";
    public const string Subscription = "subscription";
    public const string Billing = "billing";
    public const string Barring = "barring";
    public const string Consumption = "consumption";

    /// <summary>The event hub (TMF630): clients' callback registrations and their signed, durable deliveries.</summary>
    public const string Notifications = "notifications";

    /// <summary>A webhook receiver that records what the hub delivers (tests, benchmarks).</summary>
    public const string WebhookReceiver = "webhook-receiver";

    /// <summary>The network provisioning simulator (work orders), a stand-in for the mobile network's SIM web service.</summary>
    public const string Network = "network";

    /// <summary>The stand-in for the national number portability clearing house.</summary>
    public const string ClearingHouse = "clearing-house";

    public static readonly string[] Services = [Signup, Customer, Account, Subscription, Billing, Barring, Consumption, Notifications];

    /// <summary>Every own PostgreSQL database's service: the seven business services and Identity.</summary>
    public static readonly string[] ServicesWithDatabases = [.. Services, Identity];

    /// <summary>The clients of the public API that exist everywhere (their scopes: Identity's appsettings.json; their secrets: parameters <c>{client}-client-secret</c>).</summary>
    public static readonly string[] ApiClients = ["till", "webshop", "care", "partner", "network", "operator"];

    /// <summary>Configuration of the AppHost: how many instances of each service run (an int, default 1).</summary>
    public const string ReplicasKey = "MasStack:Replicas";

    /// <summary>The resource name of instance <paramref name="index"/> (from 0) of a service: <c>signup</c>, <c>signup-2</c>, …</summary>
    public static string Replica(string service, int index) => index == 0 ? service : $"{service}-{index + 1}";

    public static IEnumerable<string> Replicas(string service, int count) => Enumerable.Range(0, count).Select(index => Replica(service, index));

    /// <summary>The connection name, and the database name, of a service's own database.</summary>
    public static string Database(string service) => service + "db";
}
