using MasStack.Platform;
using MasStack.ServiceDefaults;
using MasStack.Signup;
using MasStack.Signup.Features.Catalogue;
using MasStack.Signup.Features.LineAddition;
using MasStack.Signup.Features.MasterData;
using MasStack.Signup.Features.Numbers;
using MasStack.Signup.Features.Payments;
using MasStack.Signup.Features.Sales;
using MasStack.Signup.Features.SimCards;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Signup, typeof(Program).Assembly);
builder.Services.AddSignupServices();

var app = builder.Build();
app.UsePlatform();
app.MapSignupApi();
app.MapSalePaymentApi();
app.MapLineAdditionApi();
app.MapCatalogueApi();
app.MapMasterDataApi();
app.MapNumberApi();
app.MapSimCardApi();
app.MapInternalSimCardApi();
app.Run();
