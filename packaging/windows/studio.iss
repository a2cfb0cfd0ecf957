; Inno Setup script for Studio on Windows (Inno Setup 6.3+).
; Build the bundle first (packaging/build_bundle.sh makes dist\studio), then, from
; the repository root:
;   iscc /DAppVersion=0.1.0 packaging\windows\studio.iss
; The installer lands in dist\installer\Studio-<version>-windows-x64-setup.exe.
;
; Per user by default (no administrator rights: the app goes to
; %LOCALAPPDATA%\Programs\Studio); the user may choose "for all users" in the dialog.
;
; File associations: none. Studio has no project file format of its own yet, and a
; PNG that carries its settings is still a PNG: taking over .png from the user's image
; viewer would be wrong. Add an association here when a project extension exists.
;
; Uninstall keeps the user's work (library, settings, history, runtimes, packs in
; %LOCALAPPDATA%\studio\studio) unless they say so: it asks, No being the default.
; Models live in the Hugging Face cache, shared with other tools, and are never
; removed by this uninstaller.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Studio"
#define SourceDir "..\..\dist\studio"

[Setup]
AppId={{6F1C2B9E-7D3A-4C55-9B0E-5A1D2E3F4A7B}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Studio contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=Studio-{#AppVersion}-windows-x64-setup
; made from resources\icons\studio.png by the release workflow (Pillow)
SetupIconFile=..\..\build\studio.ico
UninstallDisplayIcon={app}\Studio.exe
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\Studio.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\Studio.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Studio.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; What the app writes beside itself after installing (bytecode caches of the plain
; .py files the runtime's worker imports); the folder is the app's own.
Type: filesandordirs; Name: "{app}\_internal"

[Code]
var
  RemoveData: Boolean;

function DataDir(): String;
begin
  { platformdirs.user_data_dir("studio", "studio") on Windows }
  Result := ExpandConstant('{localappdata}\studio\studio');
end;

function InitializeUninstall(): Boolean;
begin
  Result := True;
  RemoveData := False;
  { Uninstallers have no wizard pages, so the tick box is a question whose default
    answer is No; unattended (silent) runs always keep the data. }
  if not UninstallSilent() and DirExists(DataDir()) then
    RemoveData := MsgBox('Also delete your Studio library, settings and runtimes?' + #13#10 +
                         DataDir() + #13#10#13#10 +
                         'Models in the Hugging Face cache are kept either way.',
                         mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and RemoveData then
    DelTree(DataDir(), True, True, True);
end;
