using Yarp.ReverseProxy.Forwarder;

namespace MasStack.Gateway;

/// <summary>
/// YARP with its routes and clusters as data (appsettings.json, section <c>ReverseProxy</c>): one route per row of
/// public-api.md, one cluster per service, destinations such as <c>http://signup</c> resolved by Aspire service discovery.
/// </summary>
public static class GatewayProxy
{
    public const string ConfigurationSection = "ReverseProxy";

    public static TBuilder AddGatewayProxy<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(ConfigurationSection))
            .AddTransforms(GatewaySecurity.AddCallerTransform)
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, ForwarderClientFactory>();
        return builder;
    }

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<ForwardingFailures>();
            // YARP's default pipeline, which a custom pipeline has to restate.
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}

/// <summary>
/// YARP's handler has no connect timeout of its own (SocketsHttpHandler waits forever), so a destination that drops
/// SYNs would hold the request until the cluster's activity timeout; connecting gets a few seconds instead.
/// </summary>
internal sealed class ForwarderClientFactory(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ConnectTimeout;
    }
}
