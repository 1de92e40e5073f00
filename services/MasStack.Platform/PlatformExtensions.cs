using System.Reflection;
using MasStack.Platform.Calendar;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MasStack.Platform;

public static class PlatformExtensions
{

    /// <summary>
    /// Everything a MasStack service stands on: service defaults, its own PostgreSQL database (schema migrated
    /// at start, before anything consumes or listens), Redis, the id generator, the unit of work with its
    /// outbox, the inbox consumers of <paramref name="assembly"/> on RabbitMQ, and an OpenAPI document.
    /// </summary>
    public static ServiceIdentity AddPlatform(this WebApplicationBuilder builder, string serviceName, Assembly assembly)
    {
        var service = new ServiceIdentity(serviceName, assembly);
        DapperTypes.Register();
        builder.AddServiceDefaults();
        builder.Services.AddSingleton(service);

        // A bounded pool per instance (Database:MaxPoolSize, default 50, not Npgsql's 100): every instance of every service
        // shares one server's max_connections. Not much less: a service's consumers hold connections while they wait on
        // row locks, and with 20 a burst of 200 sales starved its requests of connections for tens of seconds.
        // Statements a connection runs more than once are prepared on it (parsed and planned once by PostgreSQL, not per
        // call): the inbox and outbox statements, every lookup. A connection goes back to the pool as it is, not reset
        // (Npgsql would otherwise send RESET ALL, CLOSE ALL, UNLISTEN and friends with the next statement of every unit of
        // work, parsed each time: about 5 % of PostgreSQL's CPU samples in bench/profile_sale.py): no code leaves session state
        // behind — settings and locks are per transaction, and the schema migrator releases its session lock itself.
        // Tracing keeps one span per command, without an event per first response or a span per physical connection opened.
        var maxPoolSize = builder.Configuration.GetValue("Database:MaxPoolSize", 50);
        builder.AddNpgsqlDataSource(ResourceNames.Database(serviceName), configureDataSourceBuilder: dataSource =>
        {
            dataSource.ConnectionStringBuilder.MaxPoolSize = maxPoolSize;
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 100;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
            dataSource.ConfigureTracing(tracing => tracing.EnableFirstResponseEvent(false).EnablePhysicalOpenTracing(false)
                .ConfigureCommandFilter(command => !IsPlumbing(command.CommandText)));
        });
        builder.AddRedisClient(ResourceNames.Redis);

        // Hosted services start in registration order: schema first, then the id lease, then the bus.
        builder.Services.AddHostedService<SchemaMigrator>();
        builder.Services.AddSingleton(new IdLeaseOptions());
        builder.Services.AddSingleton<IdGenerator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IdGenerator>());
        builder.Services.AddScoped<UnitOfWork>();
        builder.Services.AddSingleton<AfterCommitActions>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddBusinessCalendar(serviceName);
        builder.AddMessaging(service);

        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient<CatalogueClient>(client => client.BaseAddress = CatalogueClient.BaseAddress);

        builder.Services.AddOpenApi(options => options.AddSchemaTransformer(OpenApiSchemas.StrictNumbers).AddSchemaTransformer(OpenApiSchemas.RequiredIsNeverNull)
            .AddSchemaTransformer(OpenApiSchemas.NullIsNoEnumValue));
        return service;
    }

    /// <summary>
    /// The inbox row of a consumed message and the outbox rows of a transaction: half of the database spans of a sale
    /// (bench/cpu_per_sale.py counted 40 Npgsql spans per sale), always the same statements, and each one more span for
    /// the dashboard to ingest. They run inside the consumer's or the relay's span, whose duration includes them.
    /// </summary>
    private static bool IsPlumbing(string sql) =>
        sql.StartsWith("INSERT INTO inbox_messages", StringComparison.Ordinal)
        || sql.StartsWith("INSERT INTO outbox_messages", StringComparison.Ordinal)
        || sql.StartsWith("UPDATE outbox_messages", StringComparison.Ordinal);

    /// <summary>The <see cref="BusinessCalendar"/>, moved by <c>Calendar:Offset</c>, which tests set in a watched file of their own.</summary>
    private static void AddBusinessCalendar(this WebApplicationBuilder builder, string serviceName)
    {
        if (builder.Configuration["Calendar:Directory"] is { Length: > 0 } directory)
            builder.Configuration.AddJsonFile(Path.Combine(directory, $"{serviceName}.json"), optional: true, reloadOnChange: true);
        builder.Services.Configure<CalendarOptions>(builder.Configuration.GetSection(CalendarOptions.Section));
        builder.Services.AddSingleton<BusinessCalendar>();
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.UseDatabaseFailureHandling();
        app.UseIdempotencyKeys();
        app.MapOpenApi();
        app.MapParkedMessagesApi(app.Services.GetRequiredService<ServiceIdentity>());
        return app;
    }
}
