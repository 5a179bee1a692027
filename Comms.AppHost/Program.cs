using Comms.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres", port: 55432);
var db = postgres.AddDatabase("commsdb");
var redis = builder.AddRedis("redis", port: 56379);
var mail = builder.AddMailDev("mail", httpPort: 1080, smtpPort: 1025);

var migrator = builder.AddProject<Projects.Comms_Api>("migrator").WithArgs("migrate")
    .WithReference(db).WithReference(redis)
    .WaitFor(db);

var api = builder.AddProject<Projects.Comms_Api>("api").WithHttpEndpoint(port: 5080)
    .WithReference(db).WithReference(redis).WithReference(mail)
    .WaitFor(db).WaitFor(redis).WaitForCompletion(migrator);

builder.AddProject<Projects.Comms_Dispatcher>("dispatcher").WithHttpEndpoint(port: 5082)
    .WithReference(db).WithReference(redis).WithReference(mail)
    .WaitFor(db).WaitFor(redis).WaitFor(mail).WaitForCompletion(migrator);

builder.AddProject<Projects.Comms_Web>("web").WithHttpEndpoint(port: 5081)
    .WithReference(db).WithReference(redis).WithReference(api)
    .WaitFor(redis).WaitFor(api);

await builder.Build().RunAsync();
