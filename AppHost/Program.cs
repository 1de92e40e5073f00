using MasStack.AppHost;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// PostgreSQL (one server, a database per service), Redis and RabbitMQ: containers where a runtime answers,
// else the locally installed binaries (Infrastructure.cs).
var infra = builder.AddInfrastructure();

// The seven services: each with its own database, Redis and the broker, started once all three answer.
var signup = builder.AddService<Projects.MasStack_Signup>(ResourceNames.Signup, infra);
var customer = builder.AddService<Projects.MasStack_Customer>(ResourceNames.Customer, infra);
var account = builder.AddService<Projects.MasStack_Account>(ResourceNames.Account, infra);
// The network's SIM provisioning service, simulated: latency and failure rate from Network__LatencyMs / Network__FailureRate,
// changeable at run time (PUT /admin/behaviour). Beside it, the field service that installs fixed, internet and TV lines
// (POST /installations; FieldService__DelayMs / FieldService__FailureRate, PUT /admin/field-service). Subscription sends
// both their work orders; neither waits for the other.
var network = builder.AddProject<Projects.MasStack_NetworkProvisioning>(ResourceNames.Network, launchProfileName: "http")
    .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port, endpoint.TargetPort) = (false, null, null))
    .WithHttpHealthCheck("/health");
var subscription = builder.AddService<Projects.MasStack_Subscription>(ResourceNames.Subscription, infra)
    .WithReference(signup)      // the catalogue and the SIM stock, asked over HTTP
    .WithReference(network);
// A termination charges the early-termination fee of the account's terms, read from Account when the line ends.
subscription.WithReference(account);
// Billing prices its invoices from the catalogue, read from Signup over HTTP when a run or a draft needs it.
var billing = builder.AddService<Projects.MasStack_Billing>(ResourceNames.Billing, infra)
    .WithReference(signup);
var barring = builder.AddService<Projects.MasStack_Barring>(ResourceNames.Barring, infra);
// Consumption reads each line's tariff (allowances, rates, initial credit, recharge limits) from Signup's catalogue.
var consumption = builder.AddService<Projects.MasStack_Consumption>(ResourceNames.Consumption, infra)
    .WithReference(signup);

// Account reads the catalogue (terms, compatible bundles) from Signup over HTTP: found by service discovery, not waited for.
account.WithReference(signup);
// The national portability clearing house's stand-in; Signup files ported numbers there and reads the account of a line
// added to a bundle from Account (its delays and rejected numbers: ClearingHouse__* settings).
var clearingHouse = builder.AddProject<Projects.MasStack_ClearingHouse>(ResourceNames.ClearingHouse, launchProfileName: "http")
    .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port, endpoint.TargetPort) = (false, null, null))
    .WithHttpHealthCheck("/health");
signup.WithReference(clearingHouse).WithReference(account);
// As the donor operator, MasStack is asked by the clearing house to release a number (port-out): it calls Subscription.
clearingHouse.WithReference(subscription);

// The event hub (TMF630): clients register callbacks, and the hub posts them the events they asked for, signed (Standard
// Webhooks). Beside it, under test, a webhook receiver that records what it is sent. The hub runs here in
// production mode (https and public addresses only) with one exception, the receiver's own origin, so that the suite can
// show every other private address refused; its retry schedule is short here (36 s in all; production: 27 h).
var notifications = builder.AddService<Projects.MasStack_Notifications>(ResourceNames.Notifications, infra);
// Only where asked (MasStack:HubTestReceiver, set by the e2e suite and the hub benchmark): it is a test rig, with no
// Deployment in Kubernetes, and the hub's test settings come with it.
if (builder.Configuration.GetValue<bool>("MasStack:HubTestReceiver"))
{
    // On a port chosen at start, or the one the hub benchmark names (MasStack:HubTestReceiverPort) to read what it received.
    var receiverPort = builder.Configuration.GetValue<int?>("MasStack:HubTestReceiverPort");
    var webhookReceiver = builder.AddProject<Projects.MasStack_WebhookReceiver>(ResourceNames.WebhookReceiver, launchProfileName: "http")
        .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port, endpoint.TargetPort) = (false, receiverPort, receiverPort))
        .WithHttpHealthCheck("/health");
    string[] hubRetries = ["00:00:01", "00:00:02", "00:00:03", "00:00:05", "00:00:10", "00:00:15"];
    foreach (var instance in notifications.Instances)
    {
        instance.WithEnvironment("Hub__RequirePublicCallbacks", "true")
            .WithEnvironment("Hub__AllowedCallbacks__0", webhookReceiver.GetEndpoint("http"))
            .WithEnvironment("Hub__RequestTimeout", "00:00:05");
        for (var i = 0; i < hubRetries.Length; i++) instance.WithEnvironment($"Hub__RetrySchedule__{i}", hubRetries[i]);
    }
}

// Identity, the OAuth 2.0 authorization server (client credentials): its own database (only the signing key its
// instances share), no broker or Redis. Reached from outside only through the gateway (/connect/token, /.well-known/*).
var identity = builder.AddIdentityService(infra);

// The gateway, the one public door. It finds the services through service discovery (services__signup__http__0, …)
// and deliberately does not wait for them: it starts, and answers for the rest, while one of them is down. It listens
// on 8080 itself, with no orchestrator proxy in front (that proxy cost a third to two thirds of its throughput);
// under test (DcpPublisher:RandomizePorts) on a port chosen at start, so two suites can run side by side.
var gatewayPort = builder.Configuration.GetValue<bool>("DcpPublisher:RandomizePorts") ? (int?)null : 8080;
// It validates tokens with the keys Identity publishes (fetched once and cached, not per request).
var gateway = builder.AddProject<Projects.MasStack_Gateway>(ResourceNames.Gateway, launchProfileName: "http")
    .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port, endpoint.TargetPort) = (false, gatewayPort, gatewayPort))
    .WithReference(identity)
    .WithReference(signup)
    .WithReference(customer)
    .WithReference(account)
    .WithReference(subscription)
    .WithReference(billing)
    .WithReference(barring)
    .WithReference(consumption)
    .WithReference(notifications)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

// The API clients' secrets (parameters, development defaults printed here) for Identity, and extra clients from configuration.
builder.AddApiClients(identity, gateway);

// Metrics every 10 s instead of the development default of every second: collecting and exporting every instrument of
// every process (about twenty), and the dashboard storing them, was the largest standing share of the idle suite's CPU once
// the polls had slowed; the dashboard's charts do not need more.
// The runtime switches given to the AppHost reach every project too (the orchestrator does not pass the AppHost's
// environment on): bench/profile_sale.py sets DOTNET_PerfMapEnabled; an experiment may try the JIT's, the thread pool's,
// the GC's or the sockets' settings, or run without telemetry (OTEL_SDK_DISABLED=true) or without metrics
// (OTEL_METRICS_EXPORTER=none) to see what it costs. Every trace is recorded unless OTEL_TRACES_SAMPLER_ARG says which
// share (0.1: one sale in ten, whole; see QuietRootSampler): the dashboard cannot store every span of a suite under load,
// and the exports it does not take in time are lost.
string[] diagnostics = ["DOTNET_PerfMapEnabled", "DOTNET_EnableWriteXorExecute", "DOTNET_ReadyToRun", "DOTNET_TieredPGO", "DOTNET_TieredCompilation",
    "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "DOTNET_gcConcurrent", "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "DOTNET_GCgen0size", "DOTNET_gcServer", "OTEL_SDK_DISABLED",
    "OTEL_METRICS_EXPORTER", QuietRootSampler.RatioSetting];
// Spans and log records every 5 s (OpenTelemetry's own default, which a deployment keeps) instead of Aspire's development
// 1 s: each process's two export threads woke every second, idle or not, and under load a batch five times the size costs
// the dashboard less per span. The dashboard shows a sale's trace a few seconds later.
foreach (var project in builder.Resources.OfType<ProjectResource>())
{
    var resource = builder.CreateResourceBuilder(project).WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "10000");
    if (builder.ExecutionContext.IsRunMode)
        resource.WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "5000").WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", "5000");
    foreach (var name in diagnostics)
        if (Environment.GetEnvironmentVariable(name) is { } value) resource.WithEnvironment(name, value);
}

builder.Build().Run();

internal static class SuiteModel
{
    /// <summary>A service, as <c>MasStack:Replicas</c> instances (see <see cref="ServiceReplicas"/>).</summary>
    public static ServiceReplicas AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, SuiteInfrastructure infra)
        where TProject : IProjectMetadata, new() =>
        new(name, [.. Enumerable.Range(0, builder.ReplicaCount()).Select(index => builder.AddServiceInstance<TProject>(ResourceNames.Replica(name, index), name, infra))]);

    /// <summary>Identity, as <c>MasStack:Replicas</c> instances, on its own database only.</summary>
    public static ServiceReplicas AddIdentityService(this IDistributedApplicationBuilder builder, SuiteInfrastructure infra) =>
        new(ResourceNames.Identity, [.. Enumerable.Range(0, builder.ReplicaCount()).Select(index =>
            builder.AddProject<Projects.MasStack_Identity>(ResourceNames.Replica(ResourceNames.Identity, index), launchProfileName: "http")
                .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port, endpoint.TargetPort) = (false, null, null))
                .WithReference(infra.DatabaseOf(ResourceNames.Identity))
                .WaitFor(infra.Postgres)
                .WithHttpHealthCheck("/health"))]);

    private static IResourceBuilder<ProjectResource> AddServiceInstance<TProject>(
        this IDistributedApplicationBuilder builder, string resourceName, string service, SuiteInfrastructure infra)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(resourceName, launchProfileName: "http")
            // Not proxied, on a port chosen at start: a stopped service then refuses connections, so the gateway
            // answers 503 at once instead of waiting on a proxy that holds the connection for a restart.
            .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port, endpoint.TargetPort) = (false, null, null))
            .WithReference(infra.DatabaseOf(service))   // ConnectionStrings__{service}db
            .WithReference(infra.Redis)              // ConnectionStrings__redis
            .WithReference(infra.RabbitMq)           // ConnectionStrings__rabbitmq
            .WaitFor(infra.Postgres)
            .WaitFor(infra.Redis)
            .WaitFor(infra.RabbitMq)
            // Healthy means ready: schema migrated, database, Redis and broker reachable, consumers bound.
            .WithHttpHealthCheck("/health")
            .WithServiceSettings(builder.Configuration)
            .WithParkedMessageCommands(service);
}
