using Routing.Cli;

return await RoutectlApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
