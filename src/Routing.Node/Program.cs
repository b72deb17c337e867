using Routing.Node.Hosting;

return await NodeProgram.RunAsync(args, Console.Out, Console.Error);
