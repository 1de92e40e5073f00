using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MasStack.Platform.Http;

/// <summary>
/// A PostgreSQL restart breaks every pooled connection; the first request on each would fail. When a request meets an
/// unavailable database, the pool's idle connections are dropped; a read (GET, HEAD) is then run once more on a fresh
/// connection, and what still fails — or was a write, which is not repeated — answers 503 with <c>Retry-After</c>.
/// </summary>
public static class DatabaseFailures
{
    private const string Database = "database";

    public static IApplicationBuilder UseDatabaseFailureHandling(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (DependencyFailures.IsDatabaseUnavailable(e) && !context.Response.HasStarted)
            {
                DropPooledConnections(context, e);
                if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                    throw new DependencyUnavailableException(Database, e);
                try
                {
                    await context.RequestServices.GetRequiredService<UnitOfWork>().DisposeAsync();
                    context.Response.Clear();
                    await next(context);
                }
                catch (Exception again) when (DependencyFailures.IsDatabaseUnavailable(again) && !context.Response.HasStarted)
                {
                    DropPooledConnections(context, again);
                    throw new DependencyUnavailableException(Database, again);
                }
            }
        });

    private static void DropPooledConnections(HttpContext context, Exception e)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseFailures))
            .LogWarning(e, "PostgreSQL unavailable for {Method} {Path}; pooled connections dropped", context.Request.Method, context.Request.Path);
        context.RequestServices.GetRequiredService<NpgsqlDataSource>().Clear();
    }
}
