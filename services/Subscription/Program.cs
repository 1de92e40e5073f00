using MasStack.Platform;
using MasStack.ServiceDefaults;
using MasStack.Subscription.Features;
using MasStack.Subscription.Features.Cancellation;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.Offers;
using MasStack.Subscription.Features.PortOut;
using MasStack.Subscription.Features.Products;
using MasStack.Subscription.Features.Services;
using MasStack.Subscription.Features.SimSwap;
using MasStack.Subscription.Features.Termination;
using MasStack.Subscription.Features.WorkOrders;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Subscription, typeof(Program).Assembly);
builder.AddSubscriptionServices();

var app = builder.Build();
app.UsePlatform();
app.MapSubscriptionApi();
app.MapSimSwapApi();
app.MapCancellationApi();
app.MapProductApi();
app.MapServiceApi();
app.MapOfferApi();
app.MapWorkOrderApi();
app.MapTerminationApi();
app.MapPortOutApi();
app.Run();
