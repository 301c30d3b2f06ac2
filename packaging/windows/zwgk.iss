; 村务公开栏 — the Windows installer (Inno Setup 6) for the one-folder bundle that
; packaging/zwgk.spec builds into dist\zwgk\. Built by .github/workflows/windows.yml, or by hand:
;
;   .venv\Scripts\python packaging\build.py
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\zwgk.iss
;
; For the clerk, not the administrator: installed per user, without administrator rights
; (PrivilegesRequired=lowest), into %LOCALAPPDATA%\Programs\村务公开栏 ({userpf}); a shortcut
; 村务公开栏 in the Start menu (开始菜单) and, if ticked, on the desktop.
;
; The archive is not the program's: the data folder (%LOCALAPPDATA%\zwgk_desktop: the database,
; its backups, the signing keys in keys\, the township's format packs in packs\, the log) is made
; by the program on first start, never by this installer, so an uninstall removes only what is
; listed under [Files] and never touches it. Installing a newer version over an older one replaces
; the program files only; the new program, on its first start, backs the archive up and then
; upgrades its schema (zwgk_desktop/office/handle.py: Archive.open with upgrade=True).
;
; This file is saved as UTF-8 with a byte-order mark: Inno Setup 6 reads it so, and the Chinese
; names below must reach the shortcuts unchanged.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "村务公开栏"
#define AppExe "zwgk-desktop.exe"
#define Bundle "..\..\dist\zwgk"

; Chinese (Simplified) is among Inno Setup's unofficial translations in some releases: the
; compiler's own copy if it has one, else the copy the workflow fetched beside this file.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#else
  #define ChineseMessages "ChineseSimplified.isl"
#endif

[Setup]
; The AppId ties every version together: a newer installer finds the older install and replaces it
; in place (same folder, same uninstaller). Never change it.
AppId={{7C4E2A91-5B3D-4F0E-9A6C-2D8B1E7F3A54}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=村务公开栏 zwgk_desktop
VersionInfoVersion={#AppVersion}
DefaultDirName={userpf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
; Per user, never an administrator (and no "install for all users" choice, which would ask for
; one: PrivilegesRequiredOverridesAllowed is left unset).
PrivilegesRequired=lowest
; Python 3.11 and Qt 6 run on 64-bit Windows 10 and later only (README: Windows 7 and 32-bit PCs).
MinVersion=10.0
; (x64compatible: Inno Setup 6.3 or newer.)
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=zwgk-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running app holds its files: Setup asks (in Chinese) to close it before replacing them.
CloseApplications=yes
RestartApplications=no
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
SetupLogging=yes
; Unsigned unless the township signs it (README: SmartScreen). With a certificate:
;   SignTool=signtool
;   SignedUninstaller=yes
; and the tool named on the compiler's command line (the certificate never in this repository):
;   ISCC "/Ssigntool=signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /f zwgk.pfx $f" …

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"

[Tasks]
Name: "desktopicon"; Description: "在桌面上创建“{#AppName}”快捷方式"; GroupDescription: "快捷方式："

[InstallDelete]
; An upgrade replaces the whole program folder's libraries: files an older bundle had and this one
; does not (a Qt plugin renamed) would otherwise be left to be loaded. Only inside {app}\_internal,
; which holds program files and nothing of the user's.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Comment: "村务公开：编辑、审核、打印公开栏，封存档案"
Name: "{group}\卸载{#AppName}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "立即运行{#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; The program's own folder of libraries, with anything it may have written there (nothing of the
; user's is ever in it), then the folder if empty. The data folder is elsewhere and deliberately
; not listed: the archive outlives the program.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"

[Messages]
chinesesimplified.BeveledLabel=村务公开栏 {#AppVersion}

[CustomMessages]
chinesesimplified.DataKept=卸载只删除了程序文件。档案数据库、备份、签名密钥和版式包仍保留在 %1，重新安装后继续使用。

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  // Said once, so no one fears for the archive (and no one deletes the folder by hand thinking
  // the uninstaller forgot it). Silent uninstalls (/VERYSILENT) skip the message.
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\zwgk_desktop')]),
      mbInformation, MB_OK);
end;
