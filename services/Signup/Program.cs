using MasStack.Platform;
using MasStack.ServiceDefaults;
using MasStack.Signup.Features.Sales;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Signup, typeof(Program).Assembly);
builder.Services.AddHostedService<SignupTimeouts>();

var app = builder.Build();
app.UsePlatform();
app.MapSignupApi();
app.Run();
