<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Canvas</name>
    <message>
        <location filename="../../studio/ui/canvas.py" line="67"/>
        <source>img2img</source>
        <extracomment>From this zoom on (device pixels per image pixel) pixels are drawn as squares. The &quot;Send to&quot; menu: (label, task); img2video is routed to the video modality.</extracomment>
        <translation>图生图</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="68"/>
        <source>Inpaint</source>
        <translation>局部重绘</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="69"/>
        <source>Upscale</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="70"/>
        <source>Video (img2video)</source>
        <translation>视频（图生视频）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="364"/>
        <source>Outputs of the job</source>
        <extracomment>emitted with (Artifact, task) for Send to img2img / inpaint / upscale / img2video a one-line message for the status bar a task id in the user&apos;s language (the window sets the packs&apos; catalogues)</extracomment>
        <translation>本次任务的输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="378"/>
        <source>Drag to compare: the parent on the left, this output on the right</source>
        <translation>拖动以对比：左侧为原图，右侧为本次输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="380"/>
        <source>Compare split</source>
        <translation>对比分割线</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="384"/>
        <source>Image details</source>
        <translation>图像信息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="424"/>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="425"/>
        <source>Fit the image in the view</source>
        <translation>让图像适应视图</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="427"/>
        <source>Actual size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="428"/>
        <source>One image pixel on one screen pixel</source>
        <translation>一个图像像素对应一个屏幕像素</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="431"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="434"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="442"/>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="443"/>
        <source>Back to all outputs of the job</source>
        <translation>返回本次任务的全部输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="445"/>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="446"/>
        <source>Compare with the image this one was made from</source>
        <translation>与生成它的原图对比</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="448"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="449"/>
        <source>Copy the image to the clipboard</source>
        <translation>将图像复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="450"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="451"/>
        <source>Save a copy of the file, with its metadata</source>
        <translation>保存文件副本（含元数据）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="452"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="453"/>
        <source>Show the file in its folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="458"/>
        <source>Start {task} from this image</source>
        <translation>以此图像开始{task}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="459"/>
        <source>Paint mask</source>
        <translation>绘制蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="460"/>
        <source>Paint the parts inpaint should repaint</source>
        <translation>涂出需要局部重绘的区域</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="464"/>
        <source>Zoom</source>
        <translation>缩放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="469"/>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="481"/>
        <location filename="../../studio/ui/canvas.py" line="482"/>
        <source>Send to</source>
        <translation>发送到</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/canvas.py" line="529"/>
        <source>%n new image(s) in the library</source>
        <translation>
            <numerusform>图库中新增 %n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="552"/>
        <location filename="../../studio/ui/canvas.py" line="647"/>
        <source>seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="619"/>
        <source>{path} cannot be read as an image</source>
        <translation>无法将 {path} 读取为图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="705"/>
        <source>The painted mask could not be saved in {folder}: {error}</source>
        <translation>无法将绘制的蒙版保存到 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="723"/>
        <source>Image copied</source>
        <translation>图像已复制</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="732"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="733"/>
        <source>Image (*{suffix})</source>
        <translation>图像 (*{suffix})</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="746"/>
        <source>Could not save {path}: {error}</source>
        <translation>无法保存 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="749"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>CanvasView</name>
    <message>
        <location filename="../../studio/ui/canvas.py" line="314"/>
        <source>Your images appear here</source>
        <translation>生成的图像将显示在这里</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <location filename="../../studio/ui/download_row.py" line="31"/>
        <location filename="../../studio/ui/download_row.py" line="51"/>
        <location filename="../../studio/ui/download_row.py" line="86"/>
        <source>Download</source>
        <extracomment>emitted with the model ref once its download finished model ref -&gt; what its last failed download said (a gated repo, no space, offline), so the panel can give the real reason before queueing</extracomment>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="32"/>
        <source>Download the model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="49"/>
        <source>The last download of {ref} failed: {error}</source>
        <translation>{ref} 上次下载失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="50"/>
        <source>{ref} is not downloaded yet.</source>
        <translation>{ref} 尚未下载。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="52"/>
        <location filename="../../studio/ui/download_row.py" line="87"/>
        <source>Download {ref}</source>
        <translation>下载 {ref}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="65"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="66"/>
        <source>Cancel the download of {ref}</source>
        <translation>取消下载 {ref}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="67"/>
        <source>Downloading {ref}…</source>
        <translation>正在下载 {ref}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="91"/>
        <source>The download of {ref} failed: {error}</source>
        <translation>{ref} 下载失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="94"/>
        <source>The download of {ref} stopped; Download resumes it.</source>
        <translation>{ref} 的下载已停止；点击“下载”可继续。</translation>
    </message>
</context>
<context>
    <name>DropHandler</name>
    <message>
        <location filename="../../studio/ui/drop.py" line="43"/>
        <source>Importing %v/%m</source>
        <translation>正在导入 %v/%m</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="44"/>
        <source>Import progress</source>
        <translation>导入进度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="45"/>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="78"/>
        <source>Reading {name}…</source>
        <translation>正在读取 {name}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="105"/>
        <source>Settings restored from an {tool} image</source>
        <translation>已从 {tool} 图像恢复设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="106"/>
        <source>Settings restored from a {tool} image</source>
        <translation>已从 {tool} 图像恢复设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="111"/>
        <source>No settings restored: {problem}</source>
        <translation>未恢复任何设置：{problem}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="122"/>
        <source>An import is already running: wait for it or cancel it</source>
        <translation>已有导入正在进行：请等待完成或取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="129"/>
        <source>Importing {folder}…</source>
        <translation>正在导入 {folder}…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/drop.py" line="160"/>
        <source>Import cancelled: %n new image(s) of {seen}, {duplicates} already in the library</source>
        <translation>
            <numerusform>导入已取消：{seen} 张中新增 %n 张，{duplicates} 张已在图库中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/drop.py" line="163"/>
        <source>Imported: %n new image(s) of {seen}, {duplicates} already in the library</source>
        <translation>
            <numerusform>已导入：{seen} 张中新增 %n 张，{duplicates} 张已在图库中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/drop.py" line="167"/>
        <source>, %n skipped</source>
        <translation>
            <numerusform>，跳过 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="169"/>
        <source> ({count} without generation metadata)</source>
        <translation>（其中 {count} 个没有生成元数据）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="179"/>
        <source>Import failed: {message}</source>
        <translation>导入失败：{message}</translation>
    </message>
</context>
<context>
    <name>FrameView</name>
    <message>
        <location filename="../../studio/ui/video_view.py" line="160"/>
        <source>Videos you make or open from the library appear here</source>
        <translation>生成的视频或从图库打开的视频将显示在这里</translation>
    </message>
</context>
<context>
    <name>GeneratePanel</name>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="73"/>
        <location filename="../../studio/ui/generate_panel.py" line="396"/>
        <source>A hub repo id, a local folder or a .safetensors/.gguf file</source>
        <extracomment>emitted with a GenerationRequest when the user presses Generate the last settings per modality, persisted (None: remembered for this session) the packs&apos; names, labels and help texts in the window&apos;s language</extracomment>
        <translation>Hub 仓库 ID、本地文件夹或 .safetensors/.gguf 文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="80"/>
        <source>Describe what to make…</source>
        <translation>描述你想生成的内容…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="85"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="95"/>
        <source>Generate</source>
        <extracomment>given the image input (or None), the &quot;image&quot; and &quot;mask&quot; inputs of a mask painted on the canvas, or {} (set by the window)</extracomment>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="103"/>
        <source>Make</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="104"/>
        <source>Generator</source>
        <translation>生成器</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="105"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="105"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="108"/>
        <location filename="../../studio/ui/generate_panel.py" line="126"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="109"/>
        <location filename="../../studio/ui/generate_panel.py" line="131"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="110"/>
        <source>Random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="111"/>
        <source>Queue the generation</source>
        <translation>将生成任务加入队列</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="154"/>
        <source>No generator is available: see Plugins for packs that failed to load.</source>
        <translation>没有可用的生成器：请在“插件”中查看加载失败的扩展包。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="204"/>
        <source>{role} file or artifact:&lt;id&gt;</source>
        <translation>{role}文件或 artifact:&lt;id&gt;</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="209"/>
        <source>Choose a file for {role}</source>
        <translation>为{role}选择文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="232"/>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="474"/>
        <source>Image</source>
        <extracomment>Tasks the panel does not offer: the profile page runs them (docs/personalize.md). The inputs tasks commonly take, named in the user&apos;s language; others as the pack&apos;s catalogue names them, or as declared.</extracomment>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="475"/>
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="476"/>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="477"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="478"/>
        <source>Last frame</source>
        <translation>末帧</translation>
    </message>
</context>
<context>
    <name>JobRow</name>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="213"/>
        <source>on {slot}</source>
        <translation>在 {slot} 上</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="153"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="155"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="157"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="161"/>
        <source>Remove from the queue</source>
        <translation>从队列中移除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="162"/>
        <source>Remove job: {prompt}</source>
        <translation>移除任务：{prompt}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="165"/>
        <source>Cancel job: {prompt}</source>
        <translation>取消任务：{prompt}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="166"/>
        <source>Retry job: {prompt}</source>
        <translation>重试任务：{prompt}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="167"/>
        <source>Open result: {prompt}</source>
        <translation>打开结果：{prompt}</translation>
    </message>
</context>
<context>
    <name>JobsView</name>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="279"/>
        <source>Execution slots</source>
        <translation>执行槽</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="447"/>
        <source>down</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="448"/>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="448"/>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="452"/>
        <source>Slots: {slots}</source>
        <translation>执行槽：{slots}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="42"/>
        <source>Queued</source>
        <extracomment>The bar&apos;s words for each phase (steps are shown as &quot;Step n/N&quot;).</extracomment>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="43"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="44"/>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="45"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="46"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="47"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="48"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="49"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="50"/>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="62"/>
        <source>{s} s left</source>
        <translation>剩余 {s} 秒</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="64"/>
        <source>{m} min {s} s left</source>
        <translation>剩余 {m} 分 {s} 秒</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="66"/>
        <source>{m} min left</source>
        <translation>剩余 {m} 分钟</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="94"/>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="96"/>
        <source>Step {step}/{total}</source>
        <translation>第 {step}/{total} 步</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="275"/>
        <location filename="../../studio/ui/jobs_view.py" line="433"/>
        <source>No jobs yet</source>
        <extracomment>emitted with an Artifact when the user opens a finished job&apos;s result one line for the status bar (a retry refused, a job that cannot be removed)</extracomment>
        <translation>暂无任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="281"/>
        <location filename="../../studio/ui/jobs_view.py" line="314"/>
        <source>Clear finished</source>
        <translation>清除已完成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="282"/>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="304"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="305"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="306"/>
        <source>Open result</source>
        <translation>打开结果</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="308"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="310"/>
        <source>Run earlier</source>
        <translation>提前运行</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="312"/>
        <source>Run later</source>
        <translation>推后运行</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="428"/>
        <source>{n} running</source>
        <translation>{n} 个运行中</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="429"/>
        <source>{n} queued</source>
        <translation>{n} 个排队中</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="430"/>
        <source>{n} failed</source>
        <translation>{n} 个失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="432"/>
        <source>{n} finished</source>
        <translation>{n} 个已完成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/jobs_view.py" line="486"/>
        <source>Retry refused: {error}</source>
        <translation>无法重试：{error}</translation>
    </message>
</context>
<context>
    <name>LibraryView</name>
    <message>
        <location filename="../../studio/ui/library_view.py" line="72"/>
        <source>All kinds</source>
        <extracomment>Tiles listed at most; the filters narrow a larger library down. Tiles listed on the UI thread (a few screens); the rest come from a worker.</extracomment>
        <translation>全部类型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="73"/>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="74"/>
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="75"/>
        <source>Music</source>
        <translation>音乐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="76"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="77"/>
        <source>Any rating</source>
        <translation>任意评分</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="79"/>
        <source>Any time</source>
        <translation>任意时间</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="80"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="81"/>
        <source>Past 7 days</source>
        <translation>过去 7 天</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="82"/>
        <source>Past 30 days</source>
        <translation>过去 30 天</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="83"/>
        <source>Past year</source>
        <translation>过去一年</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="84"/>
        <source>Between…</source>
        <translation>自定义范围…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="85"/>
        <source>Newest first</source>
        <translation>最新优先</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="86"/>
        <source>Oldest first</source>
        <translation>最早优先</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="87"/>
        <source>Highest rated</source>
        <translation>评分最高</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="242"/>
        <source>Rated {stars}</source>
        <extracomment>thumbnails asked for (the laziness is measured by it)</extracomment>
        <translation>评分 {stars}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="245"/>
        <location filename="../../studio/ui/library_view.py" line="492"/>
        <source>Favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="383"/>
        <source>Search prompts and texts…</source>
        <extracomment>emitted with an Artifact when the user opens one emitted with (Artifact, task) to start from an image: img2img, variations, upscale files dropped on the grid from outside (a QMimeData, valid during the call) one line for the status bar</extracomment>
        <translation>搜索提示词和文本…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="384"/>
        <source>Search the library</source>
        <translation>搜索图库</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="389"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="390"/>
        <source>♥ only</source>
        <translation>仅 ♥</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="391"/>
        <location filename="../../studio/ui/library_view.py" line="392"/>
        <source>Show favourites only</source>
        <translation>只显示收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="395"/>
        <source>{stars} or more</source>
        <translation>{stars} 及以上</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="398"/>
        <source>Rating</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="402"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="410"/>
        <source>From date</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="411"/>
        <source>To date</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="415"/>
        <source>Sort</source>
        <translation>排序</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="419"/>
        <source>Sort:</source>
        <translation>排序：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="437"/>
        <source>Library items</source>
        <translation>图库项目</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="453"/>
        <location filename="../../studio/ui/library_view.py" line="495"/>
        <source>Rate</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="456"/>
        <source>Rate the selected items</source>
        <translation>为所选项目评分</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="462"/>
        <location filename="../../studio/ui/library_view.py" line="505"/>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="490"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="493"/>
        <source>Remove favourite</source>
        <translation>取消收藏</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="499"/>
        <source>Rate %n star(s)</source>
        <translation>
            <numerusform>评为 %n 星</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="502"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="503"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="508"/>
        <source>Select all</source>
        <translation>全选</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="525"/>
        <source>{n} of {shown} selected</source>
        <translation>已选 {n}/{shown}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="526"/>
        <source>%n item</source>
        <translation>
            <numerusform>%n 项</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="526"/>
        <source>%n items</source>
        <translation>
            <numerusform>%n 项</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="543"/>
        <source>Make variations</source>
        <translation>生成变体</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="544"/>
        <source>Use as input image</source>
        <translation>用作输入图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="545"/>
        <source>Upscale 2x</source>
        <translation>放大 2 倍</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="552"/>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="621"/>
        <location filename="../../studio/ui/library_view.py" line="651"/>
        <source>The library cannot be listed: {error}</source>
        <translation>无法列出图库：{error}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="699"/>
        <source>Deleted %n item (Undo puts it back)</source>
        <translation>
            <numerusform>已删除 %n 项（撤销可恢复）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="700"/>
        <source>Deleted %n items (Undo puts them back)</source>
        <translation>
            <numerusform>已删除 %n 项（撤销可恢复）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="740"/>
        <source>Exported %n file to {folder}</source>
        <translation>
            <numerusform>已将 %n 个文件导出到 {folder}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/library_view.py" line="741"/>
        <source>Exported %n files to {folder}</source>
        <translation>
            <numerusform>已将 %n 个文件导出到 {folder}</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="743"/>
        <source>; not exported: {files}</source>
        <translation>；未导出：{files}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="772"/>
        <source>Made from nothing in the library; nothing made from it</source>
        <translation>不是由图库中的项目生成，也没有由它生成的项目</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="774"/>
        <source>Made from:</source>
        <translation>生成自：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="775"/>
        <location filename="../../studio/ui/library_view.py" line="781"/>
        <source>Made from it:</source>
        <translation>由它生成：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="797"/>
        <source>Parent: {prompt}</source>
        <translation>来源：{prompt}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="798"/>
        <source>Made from this: {prompt}</source>
        <translation>由此生成：{prompt}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="799"/>
        <source> (deleted)</source>
        <translation>（已删除）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="800"/>
        <source>Go to the parent {words}</source>
        <translation>转到来源 {words}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="801"/>
        <source>Go to the child {words}</source>
        <translation>转到衍生 {words}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/library_view.py" line="812"/>
        <source>That item is in the trash or no longer in the library</source>
        <translation>该项目已在回收站中或已不在图库中</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../studio/ui/main_window.py" line="36"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="85"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="109"/>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="110"/>
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="115"/>
        <source>Music</source>
        <translation>音乐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="115"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="118"/>
        <source>Library</source>
        <translation>图库</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="120"/>
        <source>Profile</source>
        <translation>画像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="124"/>
        <source>Plugins</source>
        <translation>插件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="140"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="152"/>
        <source>Suggestions</source>
        <translation>建议</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/main_window.py" line="183"/>
        <source>%n plugin pack(s) loaded, {failed} failed (see Plugins)</source>
        <translation>
            <numerusform>已加载 %n 个插件包，{failed} 个失败（见“插件”）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/main_window.py" line="185"/>
        <source>%n plugin pack(s) loaded</source>
        <translation>
            <numerusform>已加载 %n 个插件包</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="224"/>
        <source>Job failed: {error}</source>
        <translation>任务失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="255"/>
        <source>No {kind} generator is installed: install a {pack} pack (see Plugins)</source>
        <translation>未安装 {kind} 生成器：请安装 {pack} 扩展包（见“插件”）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="273"/>
        <source>Applied: {reason}</source>
        <translation>已采用：{reason}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="280"/>
        <source>No installed generator can do {task}</source>
        <translation>没有已安装的生成器支持 {task}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="288"/>
        <source>{task} from {id}: adjust and press Generate</source>
        <translation>从 {id} 开始 {task}：调整后点击“生成”</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="307"/>
        <source>No music pack is installed to play this (see Plugins)</source>
        <translation>未安装音乐扩展包，无法播放（见“插件”）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="309"/>
        <source>No video pack is installed to play this (see Plugins)</source>
        <translation>未安装视频扩展包，无法播放（见“插件”）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="369"/>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
</context>
<context>
    <name>MaskPainter</name>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="85"/>
        <source>Brush</source>
        <extracomment>The overlay&apos;s tint over the parts that will be repainted. emitted with the QRect of the mask that changed (a stroke segment, undo, clear...); a null QRect when the whole mask is new emitted when the brush size or the feather changes what the mask belongs to (the canvas puts the artifact here)</extracomment>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="86"/>
        <source>Paint the parts to repaint (B)</source>
        <translation>涂出需要重绘的区域 (B)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="88"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="89"/>
        <source>Erase from the mask (E)</source>
        <translation>从蒙版中擦除 (E)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="94"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="95"/>
        <source>Clear the mask</source>
        <translation>清除蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="97"/>
        <source>Invert</source>
        <translation>反转</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="98"/>
        <source>Repaint everything but the painted parts</source>
        <translation>重绘未涂抹的全部区域</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="100"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="101"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="180"/>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="180"/>
        <source>Brush stroke</source>
        <translation>画笔描边</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="209"/>
        <source>Clear mask</source>
        <translation>清除蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="212"/>
        <source>Invert mask</source>
        <translation>反转蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="315"/>
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="316"/>
        <source> Mask: </source>
        <translation> 蒙版：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="321"/>
        <location filename="../../studio/ui/mask_painter.py" line="328"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="322"/>
        <source>Brush size in image pixels</source>
        <translation>画笔大小（图像像素）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="323"/>
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="329"/>
        <source>Feather: how far the mask&apos;s edge is blurred in the mask sent</source>
        <translation>羽化：发送的蒙版边缘的模糊范围</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="331"/>
        <source>Feather</source>
        <translation>羽化</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="342"/>
        <source> Size </source>
        <translation> 大小 </translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="344"/>
        <source> Feather </source>
        <translation> 羽化 </translation>
    </message>
</context>
<context>
    <name>Menus</name>
    <message>
        <location filename="../../studio/ui/menus.py" line="73"/>
        <source>&amp;Open file…</source>
        <translation>打开文件(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="74"/>
        <source>Restore the settings stored in an image or a clip</source>
        <translation>恢复图像或片段中保存的设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="75"/>
        <source>&amp;Import folder…</source>
        <translation>导入文件夹(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="76"/>
        <source>Add a folder of pictures to the library</source>
        <translation>将一个文件夹中的图片加入图库</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="80"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="90"/>
        <source>&amp;Find in library</source>
        <translation>在图库中查找(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="92"/>
        <source>Search the library&apos;s prompts and texts</source>
        <translation>搜索图库中的提示词和文本</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="94"/>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="110"/>
        <source>&amp;Full screen</source>
        <translation>全屏(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="41"/>
        <location filename="../../studio/ui/menus.py" line="133"/>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="38"/>
        <source>&amp;File</source>
        <extracomment>The documentation shipped beside the package (a source checkout or an install that keeps it); Help says so when there is none.</extracomment>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="39"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="40"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="42"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="43"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="100"/>
        <source>&amp;Workspace</source>
        <translation>工作区(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="103"/>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="114"/>
        <source>&amp;Zoom</source>
        <translation>缩放(&amp;Z)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="134"/>
        <source>Generate with the prompt panel (Continue on the writing desk)</source>
        <translation>用提示词面板生成（在写作台上为续写）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="135"/>
        <source>&amp;Cancel running job</source>
        <translation>取消正在运行的任务(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="136"/>
        <source>Stop the job that is running now</source>
        <translation>停止当前正在运行的任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="143"/>
        <source>&amp;Plugin manager…</source>
        <translation>插件管理器(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="144"/>
        <source>&amp;Model manager…</source>
        <translation>模型管理器(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="145"/>
        <source>&amp;Runtime…</source>
        <translation>运行时(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="146"/>
        <source>The torch runtime the generators run on</source>
        <translation>生成器所使用的 torch 运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="150"/>
        <source>&amp;Documentation folder</source>
        <translation>文档文件夹(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="152"/>
        <source>&amp;About Studio</source>
        <translation>关于 Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="160"/>
        <source>Open a file made by Studio or another tool</source>
        <translation>打开由 Studio 或其他工具生成的文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="161"/>
        <source>Images and clips</source>
        <translation>图像和片段</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="162"/>
        <source>All files</source>
        <translation>所有文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="168"/>
        <source>Import a folder</source>
        <translation>导入文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="200"/>
        <source>No job is running</source>
        <translation>没有正在运行的任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="204"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="235"/>
        <source>The documentation folder is not installed with this copy of Studio</source>
        <translation>此 Studio 副本未安装文档文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="240"/>
        <source>About Studio</source>
        <translation>关于 Studio</translation>
    </message>
    <message>
        <location filename="../../studio/ui/menus.py" line="242"/>
        <source>An open-source creative studio: images, writing, music and video made on your own machine, with suggestions that learn from you and stay on it.</source>
        <translation>开源创作工作室：在你自己的电脑上生成图像、文字、音乐和视频，建议会向你学习，且数据只留在本机。</translation>
    </message>
</context>
<context>
    <name>ModelManager</name>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="75"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="85"/>
        <source>Models on this machine</source>
        <extracomment>called after a model was added or deleted (the window rescans its pickers) asks before a delete; a test replaces it</extracomment>
        <translation>本机上的模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="86"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="86"/>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="86"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="96"/>
        <source>Reading the models…</source>
        <translation>正在读取模型…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="99"/>
        <source>Model manager message</source>
        <translation>模型管理器消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="100"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="101"/>
        <source>Delete the selected model from the disk</source>
        <translation>从磁盘删除所选模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="103"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="105"/>
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="107"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="130"/>
        <source>The models cannot be listed: {}</source>
        <translation>无法列出模型：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="133"/>
        <source>Hugging Face cache</source>
        <translation>Hugging Face 缓存</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="133"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="134"/>
        <source>folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="147"/>
        <source>No model on disk yet</source>
        <translation>磁盘上还没有模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="148"/>
        <source>1 model, {} on disk</source>
        <translation>1 个模型，占用磁盘 {}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="149"/>
        <source>{} models, {} on disk</source>
        <translation>{} 个模型，占用磁盘 {}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="162"/>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="175"/>
        <source>Delete {ref} ({size})?

{path} is removed from the disk; a model from the hub can be downloaded again.</source>
        <translation>删除 {ref}（{size}）？

{path} 将从磁盘上删除；来自 Hub 的模型之后可以重新下载。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="180"/>
        <source>Deleting {}…</source>
        <translation>正在删除 {}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="187"/>
        <source>Not deleted: {} ({})</source>
        <translation>未删除：{}（{}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="190"/>
        <source>Not deleted: {}</source>
        <translation>未删除：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="202"/>
        <source>A folder with models</source>
        <translation>包含模型的文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="209"/>
        <source>A model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="209"/>
        <source>Model weights</source>
        <translation>模型权重</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="214"/>
        <source>Not added: {} is not a model file ({})</source>
        <translation>未添加：{} 不是模型文件（{}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="222"/>
        <source>Not added: {} does not exist</source>
        <translation>未添加：{} 不存在</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="226"/>
        <source>{} is already listed</source>
        <translation>{} 已在列表中</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="230"/>
        <source>Added {}</source>
        <translation>已添加 {}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_manager.py" line="240"/>
        <source>Not saved: the settings cannot be written ({})</source>
        <translation>未保存：无法写入设置（{}）</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../studio/ui/model_labels.py" line="21"/>
        <source> (not downloaded)</source>
        <translation>（未下载）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/model_labels.py" line="30"/>
        <source>in the Hugging Face cache</source>
        <translation>在 Hugging Face 缓存中</translation>
    </message>
</context>
<context>
    <name>MusicView</name>
    <message>
        <location filename="../../studio/ui/music_view.py" line="77"/>
        <location filename="../../studio/ui/music_view.py" line="302"/>
        <source>{name} cannot be played ({error})</source>
        <extracomment>Pixels of the drawn waveform: wide enough to stay sharp on a 2x screen. How often the position label and the playhead follow the player (milliseconds).</extracomment>
        <translation>无法播放 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="80"/>
        <source>{name} holds no sound</source>
        <translation>{name} 中没有声音</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="228"/>
        <source>No music yet</source>
        <translation>还没有音乐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="238"/>
        <source>Position</source>
        <translation>播放位置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="242"/>
        <location filename="../../studio/ui/music_view.py" line="401"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="245"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="247"/>
        <source>Loop</source>
        <translation>循环</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="252"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="254"/>
        <source>Save a copy as FLAC or WAV; its tags and settings stay</source>
        <translation>另存为 FLAC 或 WAV 副本，保留标签和设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="291"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="401"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="421"/>
        <source>step {step}/{total}</source>
        <translation>第 {step}/{total} 步</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="422"/>
        <source>starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="424"/>
        <source>Making music: {steps}{so_far}</source>
        <translation>正在生成音乐：{steps}{so_far}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="433"/>
        <source>The music job failed</source>
        <translation>音乐任务失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="434"/>
        <source>The music job cancelled</source>
        <translation>音乐任务已取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="435"/>
        <source>The music job interrupted</source>
        <translation>音乐任务被中断</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="465"/>
        <source>, {time} so far</source>
        <translation>，已生成 {time}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="492"/>
        <source>The preview cannot be drawn ({error})</source>
        <translation>无法绘制预览（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="505"/>
        <source>Preview of the running job</source>
        <translation>正在运行任务的预览</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="518"/>
        <source>FLAC audio (*.flac)</source>
        <translation>FLAC 音频 (*.flac)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="518"/>
        <source>WAV audio (*.wav)</source>
        <translation>WAV 音频 (*.wav)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="521"/>
        <source>Save music as</source>
        <translation>音乐另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="535"/>
        <source>Saving {name}…</source>
        <translation>正在保存 {name}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="540"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="544"/>
        <source>{name} cannot be saved ({error})</source>
        <translation>无法保存 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="573"/>
        <source>Audio playback is unavailable: no output device was found. Export still works.</source>
        <translation>无法播放音频：未找到输出设备。导出仍可使用。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="576"/>
        <source>Audio playback is unavailable: the PortAudio library is not installed. Export still works.</source>
        <translation>无法播放音频：未安装 PortAudio 库。导出仍可使用。</translation>
    </message>
</context>
<context>
    <name>ParamsForm</name>
    <message>
        <location filename="../../studio/ui/params_form.py" line="66"/>
        <source>Advanced</source>
        <extracomment>A field in error carries ``invalid=&quot;true&quot;``; one rule on the form styles every such field, so a theme can restyle it in one place. emitted whenever the user (or code) changes a value</extracomment>
        <translation>高级</translation>
    </message>
    <message>
        <location filename="../../studio/ui/params_form.py" line="107"/>
        <source>Let the model decide {label}</source>
        <translation>由模型决定{label}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/params_form.py" line="259"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>PluginManager</name>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="34"/>
        <source>loaded</source>
        <extracomment>A pack&apos;s state (PluginRecord.status) in the user&apos;s language.</extracomment>
        <translation>已加载</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="35"/>
        <source>failed to load</source>
        <translation>加载失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="36"/>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="51"/>
        <source>Installed plugin packs</source>
        <extracomment>packs whose enabled state was changed here (they change at the next start)</extracomment>
        <translation>已安装的插件包</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="53"/>
        <source>Pack</source>
        <translation>扩展包</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="53"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="53"/>
        <source>Makes</source>
        <translation>可生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="53"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="65"/>
        <source>Details of the selected pack</source>
        <translation>所选扩展包的详情</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="67"/>
        <location filename="../../studio/ui/plugin_manager.py" line="150"/>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="68"/>
        <source>Enable or disable the selected pack</source>
        <translation>启用或停用所选扩展包</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="70"/>
        <source>Install from a wheel file…</source>
        <translation>从 wheel 文件安装…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="72"/>
        <source>Uninstall</source>
        <translation>卸载</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="73"/>
        <source>Uninstall the selected pack</source>
        <translation>卸载所选扩展包</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="77"/>
        <source>Plugin manager message</source>
        <translation>插件管理器消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="98"/>
        <source>disabled at next start</source>
        <translation>下次启动时停用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="99"/>
        <source>enabled at next start</source>
        <translation>下次启动时启用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="110"/>
        <source> (built in)</source>
        <translation>（内置）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="150"/>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="152"/>
        <source>Distribution: {}</source>
        <translation>发行包：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="153"/>
        <source>Generators: {}</source>
        <translation>生成器：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="154"/>
        <source>Status: {}</source>
        <translation>状态：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="156"/>
        <source>Error: {}</source>
        <translation>错误：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="180"/>
        <source>Not changed: the settings cannot be written ({})</source>
        <translation>未更改：无法写入设置（{}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="186"/>
        <source>{} is enabled: restart Studio to load it.</source>
        <translation>{} 已启用：重启 Studio 后加载。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="187"/>
        <source>{} is disabled: restart Studio to unload it.</source>
        <translation>{} 已停用：重启 Studio 后卸下。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="201"/>
        <source>Install a plugin pack</source>
        <translation>安装插件包</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="202"/>
        <source>Python wheels</source>
        <translation>Python wheel 文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="207"/>
        <source>Installing {}…</source>
        <translation>正在安装 {}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="213"/>
        <source>Not installed: {}</source>
        <translation>未安装：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="215"/>
        <source>Installed {} {}: restart Studio to load it.</source>
        <translation>已安装 {} {}：重启 Studio 后加载。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="225"/>
        <source>Uninstalling {}…</source>
        <translation>正在卸载 {}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="230"/>
        <source>Not uninstalled: {}</source>
        <translation>未卸载：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/plugin_manager.py" line="231"/>
        <source>Uninstalled {}: restart Studio to unload it.</source>
        <translation>已卸载 {}：重启 Studio 后卸下。</translation>
    </message>
</context>
<context>
    <name>ProfileView</name>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="43"/>
        <location filename="../../studio/ui/profile_view.py" line="90"/>
        <source>What Studio has learned about you</source>
        <translation>Studio 对你的了解</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="47"/>
        <location filename="../../studio/ui/profile_view.py" line="130"/>
        <source>Update taste clusters</source>
        <translation>更新偏好聚类</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="48"/>
        <source>Computes sentence embeddings of your prompts and texts in a separate process, on this machine only</source>
        <translation>在独立进程中计算你的提示词和文本的句向量，仅在本机进行</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="51"/>
        <source>Forget everything…</source>
        <translation>清除全部记录…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="53"/>
        <source>Train my style…</source>
        <translation>训练我的风格…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="54"/>
        <source>Train a LoRA on your favourite images, on this computer, to generate in your style</source>
        <translation>在本机用你收藏的图片训练一个 LoRA，用你的风格生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="71"/>
        <source>Reading your history…</source>
        <translation>正在读取你的历史记录…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="83"/>
        <source>The history cannot be read: {error}</source>
        <translation>无法读取历史记录：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="91"/>
        <source>Everything stays on this computer.</source>
        <translation>所有数据都只保存在这台电脑上。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="96"/>
        <source>Incognito: nothing is recorded in this session</source>
        <translation>无痕模式：本次会话不记录任何内容</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="98"/>
        <source>Recording your actions</source>
        <translation>正在记录你的操作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="99"/>
        <source>Recording is paused</source>
        <translation>记录已暂停</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="100"/>
        <source>Pause recording</source>
        <translation>暂停记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="101"/>
        <source>Resume recording</source>
        <translation>继续记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="122"/>
        <source>Updating…</source>
        <translation>正在更新…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="132"/>
        <source>Updating taste clusters failed:
{output}</source>
        <translation>更新偏好聚类失败：
{output}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="142"/>
        <source>Forget everything</source>
        <translation>清除全部记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="143"/>
        <source>Erase your whole history, the profile, embeddings and suggestion data? Your images and texts in the library are kept.</source>
        <translation>要清除你的全部历史记录、画像、向量和建议数据吗？图库中的图像和文本会保留。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/profile_view.py" line="152"/>
        <source>Forgotten (%n file(s) erased).</source>
        <translation>
            <numerusform>已清除（删除了 %n 个文件）。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="187"/>
        <source>Your images cannot be read: {error}</source>
        <translation>无法读取你的图片：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="214"/>
        <source>Training cannot start: {error}</source>
        <translation>无法开始训练：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="217"/>
        <source>Training is in the queue; its progress shows there</source>
        <translation>训练已加入队列；进度显示在那里</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="64"/>
        <source>Preferences</source>
        <extracomment>Each language named in itself, so it can be found whatever the window speaks now. Settings that change how the worker runs models: the next job picks them up.</extracomment>
        <translation>首选项</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="74"/>
        <source>auto, cpu, cuda, cuda:N or mps</source>
        <translation>auto、cpu、cuda、cuda:N 或 mps</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="77"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="83"/>
        <source>Auto (from the device)</source>
        <translation>自动（按设备）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="86"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="87"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="88"/>
        <source>Memory for models</source>
        <translation>模型可用内存</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="89"/>
        <source>Used from the next job on.</source>
        <translation>从下一个任务起生效。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="95"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="97"/>
        <location filename="../../studio/ui/settings_dialog.py" line="152"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="105"/>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="112"/>
        <source>Model folders</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="114"/>
        <location filename="../../studio/ui/settings_dialog.py" line="288"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="119"/>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="119"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="119"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="124"/>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="129"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="133"/>
        <source>Listing the audio outputs…</source>
        <translation>正在列出音频输出…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="135"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="136"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="137"/>
        <source>The language changes at the next start.</source>
        <translation>语言将在下次启动时更改。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="138"/>
        <source>Audio output</source>
        <translation>音频输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="142"/>
        <source>Reading the runtime…</source>
        <translation>正在读取运行时…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="147"/>
        <source>Install</source>
        <translation>安装</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="148"/>
        <source>Install the runtime recommended for this machine</source>
        <translation>安装适合本机的推荐运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="149"/>
        <source>Install the torch runtime</source>
        <translation>安装 torch 运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="150"/>
        <source>Repair</source>
        <translation>修复</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="150"/>
        <source>Clean up and re-verify the active runtime</source>
        <translation>清理并重新校验当前运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="151"/>
        <source>Repair the torch runtime</source>
        <translation>修复 torch 运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="152"/>
        <source>Go back to the app&apos;s own Python</source>
        <translation>改回应用自带的 Python</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="153"/>
        <source>Remove the torch runtime</source>
        <translation>移除 torch 运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="171"/>
        <source>Preferences message</source>
        <translation>首选项消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="184"/>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="185"/>
        <source>Models and storage</source>
        <translation>模型与存储</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="186"/>
        <source>Appearance and sound</source>
        <translation>外观与声音</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="187"/>
        <source>Torch runtime</source>
        <translation>PyTorch 运行时</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="226"/>
        <source>Not saved: {}</source>
        <translation>未保存：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="239"/>
        <source>Not saved: the settings file cannot be written ({})</source>
        <translation>未保存：无法写入设置文件（{}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="247"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="251"/>
        <source>The language changes when Studio starts again.</source>
        <translation>语言将在 Studio 重新启动时更改。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="258"/>
        <source>The device settings apply to the first job.</source>
        <translation>设备设置将用于第一个任务。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="260"/>
        <source>The device settings apply once the running job has finished.</source>
        <translation>设备设置将在当前任务完成后生效。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="268"/>
        <source>The device settings apply from the next job.</source>
        <translation>设备设置从下一个任务起生效。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="278"/>
        <source>A folder with models</source>
        <translation>包含模型的文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="295"/>
        <source>To use {folder}, start Studio again with {env}={folder} (the folder in use changes only at a restart; nothing is moved).</source>
        <translation>要使用 {folder}，请以 {env}={folder} 重新启动 Studio（使用中的文件夹只在重启时更改；不会移动任何文件）。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="312"/>
        <source>No audio output device was found.</source>
        <translation>未找到音频输出设备。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="313"/>
        <source>1 output device found.</source>
        <translation>找到 1 个输出设备。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="314"/>
        <source>{} output devices found.</source>
        <translation>找到 {} 个输出设备。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="330"/>
        <source>The runtime cannot be read: {}</source>
        <translation>无法读取运行时：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="332"/>
        <source>the app&apos;s own Python</source>
        <translation>应用自带的 Python</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="333"/>
        <source>Active: {}</source>
        <translation>当前：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="335"/>
        <source>Recommended here: {variant} ({reason})</source>
        <translation>本机推荐：{variant}（{reason}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="338"/>
        <source>Installed: {}</source>
        <translation>已安装：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="340"/>
        <source>Problem: {}</source>
        <translation>问题：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="355"/>
        <source>Installing…</source>
        <translation>正在安装…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="356"/>
        <source>Repairing…</source>
        <translation>正在修复…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="357"/>
        <source>Removing…</source>
        <translation>正在移除…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="365"/>
        <source>Failed: {}</source>
        <translation>失败：{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="368"/>
        <source>Installed; the next job&apos;s worker uses it.</source>
        <translation>已安装；下一个任务的工作进程将使用它。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="369"/>
        <source>Repaired; the next job&apos;s worker uses it.</source>
        <translation>已修复；下一个任务的工作进程将使用它。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="370"/>
        <source>Removed; the next job&apos;s worker uses the app&apos;s own Python.</source>
        <translation>已移除；下一个任务的工作进程将使用应用自带的 Python。</translation>
    </message>
</context>
<context>
    <name>SuggestionsView</name>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="41"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="42"/>
        <source>Style</source>
        <translation>风格</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="43"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="44"/>
        <source>Avoid</source>
        <translation>避免</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="45"/>
        <source>Idea</source>
        <translation>灵感</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="46"/>
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="51"/>
        <source>your last prompt, run again</source>
        <extracomment>Where a suggestion came from, in the words of the &quot;Why?&quot; detail.</extracomment>
        <translation>你上一次的提示词，再运行一次</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="52"/>
        <source>a word you often add</source>
        <translation>你常添加的词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="53"/>
        <source>a word you often leave out</source>
        <translation>你常去掉的词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="54"/>
        <source>a swap you often make</source>
        <translation>你常做的替换</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="55"/>
        <source>a prompt you came back to</source>
        <translation>你反复使用的提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="56"/>
        <source>the style catalogue</source>
        <translation>风格目录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="57"/>
        <source>popular starting points</source>
        <translation>热门起点</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="58"/>
        <source>a prompt expansion in your style</source>
        <translation>按你的风格扩写的提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="59"/>
        <source>the settings you use most</source>
        <translation>你最常用的设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="60"/>
        <source>your negative prompts</source>
        <translation>你的反向提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="61"/>
        <location filename="../../studio/ui/suggestions_view.py" line="62"/>
        <source>what you are writing</source>
        <translation>你正在写的内容</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="63"/>
        <source>two of your ideas combined</source>
        <translation>你的两个想法的组合</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="91"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="94"/>
        <source>On</source>
        <translation>开</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="95"/>
        <source>Off</source>
        <translation>关</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="136"/>
        <source>From {source}.</source>
        <translation>来自{source}。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="138"/>
        <source>The ranker gives it {score}, learned from what you applied and dismissed before.</source>
        <translation>排序模型给出 {score}，依据你之前采用和忽略的建议学习而来。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="169"/>
        <source>Why?</source>
        <translation>为什么？</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="174"/>
        <source>Apply</source>
        <translation>采用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="176"/>
        <source>Apply suggestion: {text}</source>
        <translation>采用建议：{text}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="178"/>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="180"/>
        <source>Dismiss suggestion: {text}</source>
        <translation>忽略建议：{text}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="183"/>
        <source>Why this suggestion: {text}</source>
        <translation>为什么建议：{text}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="205"/>
        <source>Apply suggestion “{text}”</source>
        <translation>采用建议“{text}”</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="248"/>
        <source>Undo apply</source>
        <extracomment>emitted with a Suggestion the user applied; the window decides where it goes the user asked for the profile page re-ranks started (the coalescing is measured by it) the window&apos;s prompt panel, as (capture, restore); set by ``bind_undo``</extracomment>
        <translation>撤销采用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="253"/>
        <source>Suggestions</source>
        <translation>建议</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="254"/>
        <source>Off: no suggestions are computed at all</source>
        <translation>关闭后完全不计算建议</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="257"/>
        <location filename="../../studio/ui/suggestions_view.py" line="263"/>
        <source>Your profile</source>
        <translation>你的画像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="261"/>
        <source>What the suggestions learned about you</source>
        <translation>建议从你这里学到了什么</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="269"/>
        <location filename="../../studio/ui/suggestions_view.py" line="315"/>
        <source>Learning from your history…</source>
        <translation>正在从你的历史记录中学习…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="272"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="273"/>
        <source>Undo the applied suggestion</source>
        <translation>撤销已采用的建议</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="312"/>
        <source>The setting could not be saved: {error}</source>
        <translation>无法保存设置：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="326"/>
        <source>Suggestions are off. Nothing is ranked while they are off.</source>
        <translation>建议已关闭。关闭期间不进行任何排序。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="383"/>
        <source>Suggestions are unavailable: {error}</source>
        <translation>建议不可用：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="400"/>
        <source>Suggested for you</source>
        <translation>为你推荐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="401"/>
        <source>No suggestions yet</source>
        <translation>暂无建议</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="440"/>
        <source>Applied: {text}</source>
        <translation>已采用：{text}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/suggestions_view.py" line="490"/>
        <source>Suggestion undone</source>
        <translation>已撤销建议</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="33"/>
        <source>Favourites</source>
        <translation>收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="34"/>
        <source>Kept</source>
        <translation>已保留</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="35"/>
        <source>Rated 4 or 5</source>
        <translation>评分 4 或 5</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="46"/>
        <source>Train my style</source>
        <translation>训练我的风格</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="49"/>
        <source>Finding your images…</source>
        <translation>正在查找你的图片…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="57"/>
        <source>LoRA name</source>
        <translation>LoRA 名称</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="63"/>
        <source>Images</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="64"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="65"/>
        <source>Training steps</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="67"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="67"/>
        <source>Caption (editable)</source>
        <translation>描述文字（可编辑）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="68"/>
        <source>Training images and their captions</source>
        <translation>训练图片及其描述文字</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="74"/>
        <source>Training runs on this computer, in the queue; your images never leave it. Images made in incognito or while recording was paused are not used.</source>
        <translation>训练在本机的队列中运行，你的图片不会离开这台电脑。无痕模式下或暂停记录期间生成的图片不会被使用。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="81"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="106"/>
        <source>Images that qualify: {n}.</source>
        <translation>符合条件的图片：{n} 张。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="108"/>
        <source>Left out, made or chosen while recording was off: {n}.</source>
        <translation>已排除记录关闭期间生成或选择的图片：{n} 张。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/train_dialog.py" line="111"/>
        <source>Training needs at least {need} images, you have {n}.</source>
        <translation>训练至少需要 {need} 张图片，你目前有 {n} 张。</translation>
    </message>
</context>
<context>
    <name>UndoRouter</name>
    <message>
        <location filename="../../studio/ui/undo.py" line="54"/>
        <source>edit {}</source>
        <translation>编辑 {}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="131"/>
        <location filename="../../studio/ui/undo.py" line="171"/>
        <source>Undo</source>
        <extracomment>(generator, task) -&gt; the panel&apos;s values last seen; an edit is a change of them</extracomment>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="134"/>
        <location filename="../../studio/ui/undo.py" line="172"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="171"/>
        <location filename="../../studio/ui/undo.py" line="258"/>
        <source>Undo {}</source>
        <translation>撤销{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="172"/>
        <source>Redo {}</source>
        <translation>重做{}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="218"/>
        <source>That edit belongs to another generator or task: nothing to undo here</source>
        <translation>该编辑属于其他生成器或任务：此处无可撤销</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="258"/>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="282"/>
        <source>Deleted 1 item (Undo puts it back)</source>
        <translation>已删除 1 项（撤销可恢复）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="283"/>
        <source>Deleted {} items (Undo puts them back)</source>
        <translation>已删除 {} 项（撤销可恢复）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="290"/>
        <source>delete 1 item</source>
        <translation>删除 1 项</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="290"/>
        <source>delete {} items</source>
        <translation>删除 {} 项</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="313"/>
        <source>favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="313"/>
        <source>remove favourite</source>
        <translation>取消收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/undo.py" line="337"/>
        <source>rate {}</source>
        <translation>评为 {} 星</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <location filename="../../studio/ui/video_view.py" line="76"/>
        <source>{name} cannot be read ({error})</source>
        <extracomment>Used when a file does not say its frame rate. Decoded frames kept in memory at most (a minute of 1080p is 9 GB).</extracomment>
        <translation>无法读取 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="79"/>
        <source>{name} cannot be played ({error})</source>
        <translation>无法播放 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="99"/>
        <source>the file holds no video stream</source>
        <translation>文件中没有视频流</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="110"/>
        <source>the clip has no frames</source>
        <translation>该片段没有帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="115"/>
        <source>it is too long to play here (over {frames} frames of {width}x{height}); Save as still works</source>
        <translation>片段太长，无法在此播放（超过 {frames} 帧 {width}x{height}）；仍可另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="206"/>
        <source>No video yet</source>
        <translation>还没有视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="214"/>
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="218"/>
        <source>◂ Frame</source>
        <translation>◂ 上一帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="219"/>
        <source>One frame back (Left)</source>
        <translation>后退一帧（左方向键）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="220"/>
        <source>One frame back</source>
        <translation>后退一帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="222"/>
        <location filename="../../studio/ui/video_view.py" line="379"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="224"/>
        <source>Frame ▸</source>
        <translation>下一帧 ▸</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="225"/>
        <source>One frame forward (Right)</source>
        <translation>前进一帧（右方向键）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="226"/>
        <source>One frame forward</source>
        <translation>前进一帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="229"/>
        <source>Export frame as PNG…</source>
        <translation>将帧导出为 PNG…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="230"/>
        <source>The PNG carries the clip&apos;s prompt and settings</source>
        <translation>PNG 中包含该片段的提示词和设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="233"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="274"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="313"/>
        <source>Frame {index} of {count}  ·  {time} / {length}</source>
        <translation>第 {index}/{count} 帧  ·  {time} / {length}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="379"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="399"/>
        <source>Preview of the running job</source>
        <translation>正在运行任务的预览</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="402"/>
        <source>step {step}/{total}</source>
        <translation>第 {step}/{total} 步</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="403"/>
        <source>starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="404"/>
        <source>Making video: {steps}</source>
        <translation>正在生成视频：{steps}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="412"/>
        <source>The video job failed</source>
        <translation>视频任务失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="413"/>
        <source>The video job cancelled</source>
        <translation>视频任务已取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="414"/>
        <source>The video job interrupted</source>
        <translation>视频任务被中断</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="424"/>
        <source>Export frame as PNG</source>
        <translation>将帧导出为 PNG</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="425"/>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="436"/>
        <source>Exporting frame {index}…</source>
        <translation>正在导出第 {index} 帧…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="443"/>
        <source>Saved frame {index} to {path}</source>
        <translation>已将第 {index} 帧保存到 {path}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="448"/>
        <source>The frame cannot be exported ({error})</source>
        <translation>无法导出该帧（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="458"/>
        <source>Save video as</source>
        <translation>视频另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="459"/>
        <source>{format} video (*{suffix})</source>
        <translation>{format} 视频 (*{suffix})</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="470"/>
        <source>Saving {name}…</source>
        <translation>正在保存 {name}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="474"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="478"/>
        <source>{name} cannot be saved ({error})</source>
        <translation>无法保存 {name}（{error}）</translation>
    </message>
</context>
<context>
    <name>WaveformView</name>
    <message>
        <location filename="../../studio/ui/music_view.py" line="139"/>
        <source>Music you make or open from the library appears here</source>
        <extracomment>where the user clicked or dragged to, 0 (start) to 1 (end)</extracomment>
        <translation>生成的音乐或从图库打开的音乐将显示在这里</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="143"/>
        <source>Waveform</source>
        <translation>波形</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="144"/>
        <source>Click or drag to move the playhead</source>
        <translation>点击或拖动以移动播放头</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../studio/ui/welcome.py" line="41"/>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="42"/>
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="43"/>
        <source>Music</source>
        <translation>音乐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="44"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="76"/>
        <source>Welcome to Studio</source>
        <extracomment>emitted with a modality when the user asks to try a model that works now emitted with a model ref once its download finished modality -&gt; its &quot;works now&quot; button, for models already here</extracomment>
        <translation>欢迎使用 Studio</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="77"/>
        <source>No model is downloaded yet. Looking at this computer&apos;s graphics memory…</source>
        <translation>尚未下载任何模型。正在检测这台电脑的显存…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="82"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="83"/>
        <source>Close this page; it is not shown again</source>
        <translation>关闭此页面，之后不再显示</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="84"/>
        <source>Dismiss the welcome page</source>
        <translation>关闭欢迎页</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="86"/>
        <source>Models are saved in the Hugging Face cache, shared with other tools. Any other model works too: type its repo id, folder or file in the Model box.</source>
        <translation>模型保存在 Hugging Face 缓存中，与其他工具共享。其他模型同样可用：在“模型”框中输入其仓库 ID、文件夹或文件。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="135"/>
        <source>a GPU with {size}</source>
        <translation>显存 {size} 的 GPU</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="136"/>
        <source>no GPU found: models run on the CPU, slowly for images and video</source>
        <translation>未找到 GPU：模型将在 CPU 上运行，生成图像和视频会较慢</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="138"/>
        <source>No model is downloaded yet. Here is one model per kind of work that suits this computer ({machine}).</source>
        <translation>尚未下载任何模型。以下是适合这台电脑（{machine}）的各类创作模型，每类一个。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="154"/>
        <source>size unknown</source>
        <translation>大小未知</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="169"/>
        <source>Works now: try it</source>
        <translation>现在可用：试一试</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="170"/>
        <source>This model is already on this computer; nothing to download</source>
        <translation>此模型已在这台电脑上，无需下载</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="172"/>
        <source>Try {model} now</source>
        <translation>立即试用 {model}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="181"/>
        <source>{size} to download</source>
        <translation>需下载 {size}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="188"/>
        <source>Downloaded: {ref}</source>
        <translation>已下载：{ref}</translation>
    </message>
</context>
<context>
    <name>WritingView</name>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="56"/>
        <source>Markdown (*.md *.markdown);;Text (*.txt);;All files (*)</source>
        <extracomment>How long after the last keystroke the recovery copy is written. Larger files are refused: the desk is for writing, not for logs. Parameters a task takes from the direction line, in order of preference. Parameters the desk fills itself (from the direction line), not from the form. Tasks written in the user&apos;s voice when the switch (the ``my_voice`` parameter) is on.</extracomment>
        <translation>Markdown (*.md *.markdown);;文本 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="92"/>
        <source>Write here. Continue writes on from the cursor; select text and Rewrite to transform it; Chat answers the message in the line below.</source>
        <extracomment>emitted with (GenerationRequest, on_submitted callback taking the job) emitted with the id of a running desk job the user stopped</extracomment>
        <translation>在此写作。“续写”从光标处接着写；选中文字后“改写”可加以改造；“对话”回答下方输入框中的消息。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="95"/>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="96"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="97"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="98"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="119"/>
        <source>A hub repo id, a local folder or a .gguf file</source>
        <translation>Hub 仓库 ID、本地文件夹或 .gguf 文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="120"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="121"/>
        <location filename="../../studio/ui/writing_view.py" line="131"/>
        <source>Generator</source>
        <translation>生成器</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="122"/>
        <location filename="../../studio/ui/writing_view.py" line="133"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="138"/>
        <source>A direction for Continue, an instruction for Rewrite, or a message for Chat</source>
        <translation>续写的方向、改写的指令或对话的消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="139"/>
        <source>Direction, instruction or message</source>
        <translation>方向、指令或消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="140"/>
        <source>Continue</source>
        <translation>续写</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="141"/>
        <source>Rewrite selection</source>
        <translation>改写选中内容</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="142"/>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="143"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="154"/>
        <source>Your voice</source>
        <translation>你的文风</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="239"/>
        <source>{generator} cannot {task}</source>
        <translation>{generator} 不支持 {task}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="382"/>
        <source>Your voice: off in the settings (writing_voice)</source>
        <translation>你的文风：已在设置中关闭（writing_voice）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="384"/>
        <source>Your voice: needs {need} words of your own text, you have {have}</source>
        <translation>你的文风：需要 {need} 词你自己写的文字，目前有 {have} 词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="387"/>
        <source>Your voice: needs {need} passages of your own text, you have {have}</source>
        <translation>你的文风：需要 {need} 段你自己写的文字，目前有 {have} 段</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="389"/>
        <source>Your voice: on, from {passages} passages ({words} words) of your own text</source>
        <translation>你的文风：已开启，取自你自己写的 {passages} 段文字（{words} 词）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="412"/>
        <source>{generator} takes no direction for Continue; clear the line or use Rewrite</source>
        <translation>{generator} 续写时不接受方向；请清空输入框或使用“改写”</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="421"/>
        <source>Select the text to rewrite first</source>
        <translation>请先选中要改写的文字</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="438"/>
        <source>Type a message in the line below, or select text to ask about</source>
        <translation>请在下方输入消息，或选中要询问的文字</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="464"/>
        <source>Writing failed: {error}</source>
        <translation>写作失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="490"/>
        <source>it is larger than {size} MB</source>
        <translation>文件大于 {size} MB</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="494"/>
        <source>it is not UTF-8 text</source>
        <translation>不是 UTF-8 文本</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="496"/>
        <source>Cannot open {path}: {reason}</source>
        <translation>无法打开 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="515"/>
        <source>Cannot save {path}: {error}</source>
        <translation>无法保存 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="528"/>
        <source>Open a document</source>
        <translation>打开文档</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="535"/>
        <source>Save the document</source>
        <translation>保存文档</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="536"/>
        <location filename="../../studio/ui/writing_view.py" line="569"/>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="546"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="547"/>
        <source>The document has unsaved changes. Open another one anyway? (They stay in the recovery copy until the next edit.)</source>
        <translation>文档有未保存的更改。仍要打开另一个文档吗？（在下次编辑前，这些更改会保留在恢复副本中。）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="570"/>
        <source>{name} (unsaved changes)</source>
        <translation>{name}（未保存）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="572"/>
        <source>Not saved to a file yet</source>
        <translation>尚未保存到文件</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="582"/>
        <source>%n word ({selected} selected)</source>
        <translation>
            <numerusform>%n 词（已选 {selected}）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="583"/>
        <source>%n words ({selected} selected)</source>
        <translation>
            <numerusform>%n 词（已选 {selected}）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="586"/>
        <source>%n word</source>
        <translation>
            <numerusform>%n 词</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="586"/>
        <source>%n words</source>
        <translation>
            <numerusform>%n 词</numerusform>
        </translation>
    </message>
</context>
</TS>
