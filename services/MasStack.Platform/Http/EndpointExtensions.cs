using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MasStack.Platform.Http;

public static class EndpointExtensions
{
    /// <summary>The endpoint writes: one transaction, committed only on 2xx, honouring <c>Idempotency-Key</c>.</summary>
    public static RouteHandlerBuilder Transactional(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<TransactionFilter>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>Lets the transaction filter read the body again to hash it, only for requests that carry a key.</summary>
    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(TransactionFilter.Header)) context.Request.EnableBuffering();
            return next(context);
        });
}
