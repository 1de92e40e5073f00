using MasStack.ClearingHouse;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.Configure<ClearingHouseOptions>(builder.Configuration.GetSection("ClearingHouse"));
builder.Services.AddSingleton<PortabilityBook>();
builder.Services.AddSingleton<ClearingHouseFaults>();
builder.Services.AddSingleton<PortOutBook>();
builder.Services.AddHttpClient<DonorClient>(client => client.BaseAddress = DonorClient.BaseAddress);
builder.Services.AddHostedService<PortOutExecutor>();

var app = builder.Build();
app.UseServiceDefaults();
app.MapPortabilityApi();
app.MapPortOutApi();
app.Run();
