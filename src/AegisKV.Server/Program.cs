using AegisKV.Server.Cli;

return await AegisCommandLine.RunAsync(args);
