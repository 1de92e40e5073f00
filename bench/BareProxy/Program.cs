using Yarp.ReverseProxy.Configuration;

// dotnet run -c Release -- --urls http://127.0.0.1:8090 --Destination http://127.0.0.1:5201
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(options => options.AddServerHeader = false);
var destination = builder.Configuration["Destination"] ?? throw new InvalidOperationException("--Destination is required.");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "service", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "service", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = destination } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
